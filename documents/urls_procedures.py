from django.urls import path

from documents.views import catalogue as views

app_name = "procedures"

urlpatterns = [
    path("", views.ProcedureListView.as_view(), name="list"),
    path("new/", views.ProcedureCreateView.as_view(), name="create"),
    path("<int:pk>/", views.ProcedureDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.ProcedureUpdateView.as_view(), name="update"),
    path("<int:pk>/applicability/", views.ApplicabilityView.as_view(), name="applicability"),
    path("decisions/", views.DecisionListView.as_view(), name="decision_list"),
    path("decisions/new/", views.DecisionCreateView.as_view(), name="decision_create"),
    path("decisions/<int:pk>/", views.DecisionDetailView.as_view(), name="decision_detail"),
    path("decisions/<int:pk>/items/new/", views.DecisionItemCreateView.as_view(), name="decision_add_item"),
    path("decisions/<int:pk>/import/", views.DecisionImportView.as_view(), name="decision_import"),
    path(
        "decisions/<int:pk>/import/confirm/",
        views.DecisionImportConfirmView.as_view(),
        name="decision_import_confirm",
    ),
    path("coverage/", views.CoverageView.as_view(), name="coverage"),
    path("coverage/<int:unit_pk>/", views.CoverageUnitView.as_view(), name="coverage_unit"),
]
