from django.urls import path

from communes import views

app_name = "communes"

urlpatterns = [
    path("", views.UnitListView.as_view(), name="unit_list"),
    path("<int:pk>/", views.UnitDetailView.as_view(), name="unit_detail"),
    path("<int:pk>/edit/", views.UnitUpdateView.as_view(), name="unit_update"),
    path("<int:parent_pk>/new/", views.UnitCreateView.as_view(), name="unit_create"),
]
