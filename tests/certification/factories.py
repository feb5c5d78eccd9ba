"""Helpers for the certification tests: profiles and decisions go through the services."""

import datetime

import pytest
from django.utils import translation

from certification import services
from certification.models import StandardVersion
from certification.versions import load_versions
from tests.documents.factories import DocProcedureFactory

D = datetime.date
V2008, V2015 = "TCVN ISO 9001:2008", "TCVN ISO 9001:2015"
ANNOUNCED_ON = D(2018, 12, 20)
SCOPE = "Giải quyết thủ tục hành chính tại bộ phận một cửa của phường."


@pytest.fixture
def english():
    """Messages in English, so the tests read the msgids whatever the catalogue says."""
    with translation.override("en"):
        yield


def version(code: str) -> StandardVersion:
    load_versions(StandardVersion)  # survive flushes of transactional tests
    return StandardVersion.objects.get(code=code)


def procedures(*codes):
    return [DocProcedureFactory(code=code) for code in codes]


def make_profile(actor, unit, code=V2015, scope=SCOPE, tthc=("1.001193", "1.000894"), **details):
    return services.profile_create(
        actor=actor,
        unit=unit,
        standard_version=version(code),
        scope_statement=scope,
        procedures=procedures(*tthc),
        **details,
    )


def announce(actor, unit, number="15/QĐ-UBND", signed_on=ANNOUNCED_ON, **kwargs):
    defaults = {"kind": "announcement", "signer": "Nguyễn Văn A, Chủ tịch UBND"}
    return services.decision_record(
        actor=actor, unit=unit, number=number, signed_on=signed_on, **(defaults | kwargs)
    )
