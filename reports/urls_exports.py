"""The reports index, the annual report to the Department of Science and Technology and the
registers for auditors (reports.views.annual, reports.views.exports)."""

from django.urls import path

from reports.views import annual, exports

urlpatterns: list = [
    path("", exports.index, name="index"),
    path("annual/", annual.annual_index, name="annual_index"),
    path("annual/<int:year>/", annual.annual_report, name="annual_report"),
    path("annual/<int:year>/edit/", annual.annual_report_edit, name="annual_report_edit"),
    path("annual/<int:year>/report.xlsx", annual.annual_report_xlsx, name="annual_report_xlsx"),
    path("annual/<int:year>/report.pdf", annual.annual_report_pdf, name="annual_report_pdf"),
    path("exports/documents.xlsx", exports.export_documents, name="export_documents"),
    path("exports/coverage.xlsx", exports.export_coverage, name="export_coverage"),
    path("exports/audits.xlsx", exports.export_audits, name="export_audits"),
    path("exports/actions.xlsx", exports.export_actions, name="export_actions"),
]
