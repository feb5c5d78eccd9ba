"""Writes of the certification app, one module per part: the QMS profile and its decisions,
version transitions, objectives and indicators, annual scoring. Import from the module
(`from certification.services import scoring`); the profile services are also here for short."""

from certification.services.profile import (
    CHANGE_DENIED,
    compute_status,
    decision_attach_file,
    decision_record,
    procedure_codes,
    profile_create,
    profile_update,
    refresh_status,
)

__all__ = [
    "CHANGE_DENIED",
    "compute_status",
    "decision_attach_file",
    "decision_record",
    "procedure_codes",
    "profile_create",
    "profile_update",
    "refresh_status",
]
