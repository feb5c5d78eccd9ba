"""/actions/: nonconformities and corrective actions (ISO 9001:2015 §10.2)."""

from django.urls import path

from audits.views import actions as views

app_name = "actions"

urlpatterns = [
    path("", views.NonconformityListView.as_view(), name="nonconformity_list"),
    path("new/", views.nonconformity_create, name="nonconformity_create"),
    path("<int:pk>/", views.NonconformityDetailView.as_view(), name="nonconformity_detail"),
    path("<int:pk>/actions/new/", views.action_create, name="action_create"),
    path("action/<int:pk>/done/", views.action_done, name="action_done"),
    path("action/<int:pk>/verify/", views.action_verify, name="action_verify"),
]
