"""Management reviews (ISO 9001:2015 §9.3) and inspections by the province, in the "audits"
namespace (see audits/urls.py)."""

from django.urls import path

from audits.views import reviews as views

urlpatterns = [
    path("reviews/", views.ReviewListView.as_view(), name="review_list"),
    path("reviews/new/", views.ReviewCreateView.as_view(), name="review_create"),
    path("reviews/<int:pk>/", views.ReviewDetailView.as_view(), name="review_detail"),
    path("reviews/<int:pk>/edit/", views.ReviewUpdateView.as_view(), name="review_update"),
    path("reviews/<int:pk>/outputs/new/", views.review_output_create, name="review_output_create"),
    path("inspections/", views.InspectionListView.as_view(), name="inspection_list"),
    path("inspections/new/", views.inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/", views.InspectionDetailView.as_view(), name="inspection_detail"),
    path("inspections/<int:pk>/minutes/", views.inspection_minutes, name="inspection_minutes"),
    path("inspections/<int:pk>/report/", views.inspection_report, name="inspection_report"),
]
