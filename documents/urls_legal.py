from django.urls import path

from documents.views import catalogue as views

app_name = "legal"

urlpatterns = [
    path("", views.LegalListView.as_view(), name="list"),
    path("new/", views.LegalCreateView.as_view(), name="create"),
    path("<int:pk>/", views.LegalDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.LegalUpdateView.as_view(), name="update"),
]
