from django.urls import path

from audits.views import audits as views

urlpatterns = [
    path("", views.AuditListView.as_view(), name="audit_list"),
    path("programmes/", views.ProgrammeListView.as_view(), name="programme_list"),
    path("programmes/new/", views.programme_create, name="programme_create"),
    path("programmes/<int:pk>/", views.ProgrammeDetailView.as_view(), name="programme_detail"),
    path("depth/", views.UnitDepthView.as_view(), name="unit_depth"),
    path("<int:pk>/", views.AuditDetailView.as_view(), name="audit_detail"),
    path("<int:pk>/plan/", views.audit_update, name="audit_update"),
    path("<int:pk>/start/", views.audit_start, name="audit_start"),
    path("<int:pk>/checklist/new/", views.checklist_add, name="checklist_add"),
    path("<int:pk>/checklist/copy/", views.checklist_copy, name="checklist_copy"),
    path("checklist/<int:pk>/answer/", views.checklist_answer, name="checklist_answer"),
    path("<int:pk>/findings/new/", views.finding_create, name="finding_create"),
    path("findings/<int:pk>/attach/", views.finding_attach, name="finding_attach"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("<int:pk>/report/", views.audit_report, name="audit_report"),
    path("<int:pk>/report.pdf", views.audit_report_pdf, name="audit_report_pdf"),
    path("<int:pk>/close/", views.audit_close, name="audit_close"),
]
