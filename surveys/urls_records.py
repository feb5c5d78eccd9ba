"""/surveys/: tallies of paper forms and rating devices, one-stop record counts, their
reconciliation and the on-time rate (part of the "surveys" namespace, see surveys/urls.py)."""

from django.urls import path

from surveys.views import records, tallies

urlpatterns = [
    path("tallies/", tallies.TallyListView.as_view(), name="tally_list"),
    path("tallies/new/", tallies.tally_create, name="tally_create"),
    path("tallies/<int:pk>/edit/", tallies.tally_update, name="tally_update"),
    path("tallies/import/", tallies.tally_import, name="tally_import"),
    path("records/", records.RecordListView.as_view(), name="record_list"),
    path("records/new/", records.record_create, name="record_create"),
    path("records/<int:pk>/edit/", records.record_update, name="record_update"),
    path("records/import/", records.record_import, name="record_import"),
    path("reconciliation/", records.reconciliation, name="reconciliation"),
    path("reconciliation/set/", records.reconciliation_set, name="reconciliation_set"),
    path("on-time/", records.ontime, name="ontime"),
]
