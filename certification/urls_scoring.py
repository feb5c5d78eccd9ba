"""/qms/scoring/: annual scoring rounds, their criteria, score sheets and league tables."""

from django.urls import path

from certification.views import scoring

urlpatterns = [
    path("scoring/", scoring.RoundListView.as_view(), name="round_list"),
    path("scoring/new/", scoring.round_create, name="round_create"),
    path("scoring/<int:pk>/", scoring.round_detail, name="round_detail"),
    path("scoring/<int:pk>/edit/", scoring.round_update, name="round_update"),
    path("scoring/<int:pk>/criteria/new/", scoring.criterion_create, name="criterion_create"),
    path("scoring/<int:pk>/criteria/copy/", scoring.criteria_copy, name="criteria_copy"),
    path("scoring/<int:pk>/open/", scoring.round_open, name="round_open"),
    path("scoring/<int:pk>/approve/", scoring.round_approve, name="round_approve"),
    path("scoring/<int:pk>/league/", scoring.league_table, name="league_table"),
    path("scoring/<int:pk>/export.xlsx", scoring.league_export, name="league_export"),
    path("scoring/criteria/<int:pk>/edit/", scoring.criterion_update, name="criterion_update"),
    path("scoring/criteria/<int:pk>/delete/", scoring.criterion_delete, name="criterion_delete"),
    path("scoring/sheets/<int:pk>/", scoring.sheet_detail, name="sheet_detail"),
    path("scoring/sheets/<int:pk>/self-score/", scoring.sheet_self_score, name="sheet_self_score"),
    path("scoring/sheets/<int:pk>/submit/", scoring.sheet_submit, name="sheet_submit"),
    path("scoring/sheets/<int:pk>/finalise/", scoring.sheet_finalise, name="sheet_finalise"),
    path("scoring/sheets/<int:pk>/return/", scoring.sheet_return, name="sheet_return"),
    path("scoring/sheets/<int:pk>/approve/", scoring.sheet_approve, name="sheet_approve"),
]
