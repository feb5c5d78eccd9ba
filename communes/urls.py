from django.urls import path

from communes import views, views_merge

app_name = "communes"

urlpatterns = [
    path("", views.UnitListView.as_view(), name="unit_list"),
    path("<int:pk>/", views.UnitDetailView.as_view(), name="unit_detail"),
    path("<int:pk>/edit/", views.UnitUpdateView.as_view(), name="unit_update"),
    path("<int:parent_pk>/new/", views.UnitCreateView.as_view(), name="unit_create"),
    # The 2025 reorganisation: merging units, moving people between units.
    path("merge/", views_merge.unit_merge, name="unit_merge"),
    path("<int:pk>/members/move/", views_merge.membership_move, name="membership_move"),
]
