"""/reports/dashboard/: the dashboard of the home page, alone and full width."""

from django.urls import path

from reports.views import dashboard

urlpatterns: list = [
    path("dashboard/", dashboard.DashboardView.as_view(), name="dashboard"),
]
