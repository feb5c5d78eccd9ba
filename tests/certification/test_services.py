"""QMS profiles and decisions through the services: the status rules, who may record what,
bad input, history, and the dashboard selectors' query counts."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certification import selectors, services
from certification.models import Decision, QmsProfile, StandardVersion
from communes.models import Unit
from tests.certification.factories import (
    SCOPE,
    V2008,
    V2015,
    D,
    announce,
    english,  # noqa: F401 -- fixture
    make_profile,
    procedures,
    version,
)
from tests.factories import UnitFactory

pytestmark = pytest.mark.usefixtures("english")
S = QmsProfile.Status
REANNOUNCED_ON = D(2019, 3, 1)


@pytest.fixture
def profile(tree, officer_a):
    return make_profile(officer_a, tree.unit_a)


@pytest.fixture
def announced(profile, officer_a, tree):
    announce(officer_a, tree.unit_a)
    profile.refresh_from_db()
    assert profile.status == S.ANNOUNCED
    return profile


def reannounce(actor, unit, reason="scope_change", number="40/QĐ-UBND", signed_on=REANNOUNCED_ON, **kw):
    return services.decision_record(
        actor=actor,
        unit=unit,
        kind="reannouncement",
        reason=reason,
        number=number,
        signed_on=signed_on,
        signer="Nguyễn Văn A, Chủ tịch UBND",
        **kw,
    )


# --- Data and profile ----------------------------------------------------------------------
def test_standard_versions_are_loaded(db):
    assert list(StandardVersion.objects.values_list("code", flat=True)) == [V2008, V2015]


def test_profile_create(profile, tree):
    assert (profile.unit, profile.standard_version.code, profile.status) == (tree.unit_a, V2015, S.BUILDING)
    assert services.procedure_codes(profile.procedures.all()) == ["1.000894", "1.001193"]


def test_profile_confirmed_effective_is_applying(profile, officer_a):
    services.profile_update(actor=officer_a, profile=profile, effective_confirmed_on=D(2018, 11, 1))
    profile.refresh_from_db()
    assert profile.status == S.APPLYING


def test_one_profile_per_unit(profile, officer_a, tree):
    with pytest.raises(ValidationError):
        make_profile(officer_a, tree.unit_a)
    assert QmsProfile.objects.count() == 1


# --- Status rules --------------------------------------------------------------------------
def test_announcement_matching_profile_is_announced(announced):
    assert selectors.is_announced(announced)
    decision = Decision.objects.get()
    assert decision.scope_snapshot == SCOPE
    assert decision.procedures_snapshot == ["1.000894", "1.001193"]
    assert decision.standard_version.code == V2015


def test_scope_change_needs_reannouncement(announced, officer_a):
    services.profile_update(
        actor=officer_a, profile=announced, scope_statement=SCOPE + " Và lĩnh vực đất đai."
    )
    announced.refresh_from_db()
    assert announced.status == S.NEEDS_REANNOUNCEMENT
    assert not selectors.is_announced(announced)


def test_new_tthc_needs_reannouncement(announced, officer_a):
    services.profile_update(
        actor=officer_a, profile=announced, procedures=procedures("1.001193", "1.000894", "1.012753.H19")
    )
    announced.refresh_from_db()
    assert announced.status == S.NEEDS_REANNOUNCEMENT


def test_version_change_needs_reannouncement(tree, officer_a):
    profile = make_profile(officer_a, tree.unit_a, code=V2008)
    announce(officer_a, tree.unit_a, signed_on=D(2017, 6, 1))
    profile.refresh_from_db()
    assert profile.status == S.ANNOUNCED
    services.profile_update(actor=officer_a, profile=profile, standard_version=version(V2015))
    profile.refresh_from_db()
    assert profile.status == S.NEEDS_REANNOUNCEMENT
    assert not selectors.is_announced(profile)


def test_other_details_keep_announced(announced, officer_a):
    services.profile_update(actor=officer_a, profile=announced, steering_members="Ông A – Trưởng ban")
    announced.refresh_from_db()
    assert announced.status == S.ANNOUNCED


def test_matching_reannouncement_announces_again(announced, officer_a, tree):
    services.profile_update(actor=officer_a, profile=announced, scope_statement="Phạm vi mới.")
    new = reannounce(officer_a, tree.unit_a)
    announced.refresh_from_db()
    assert announced.status == S.ANNOUNCED and selectors.is_announced(announced)
    old = Decision.objects.get(kind="announcement")
    assert old.superseded_by == new and new.is_current
    assert new.scope_snapshot == "Phạm vi mới."


def test_announcement_for_another_version_is_not_announced(profile, officer_a, tree):
    announce(officer_a, tree.unit_a, standard_version=version(V2008))
    profile.refresh_from_db()
    assert profile.status == S.NEEDS_REANNOUNCEMENT
    assert not selectors.is_announced(profile)


def test_revocation_lapses(announced, supervisor, tree):
    revocation = services.decision_record(
        actor=supervisor,
        unit=tree.unit_a,
        kind="revocation",
        number="02/QĐ-UBND",
        signed_on=D(2019, 2, 1),
        signer="Chủ tịch UBND huyện",
    )
    announced.refresh_from_db()
    assert announced.status == S.LAPSED and not selectors.is_announced(announced)
    assert Decision.objects.get(kind="announcement").superseded_by == revocation


def test_recognition_keeps_status_and_is_shown(announced, supervisor, tree):
    recognition = services.decision_record(
        actor=supervisor,
        unit=tree.unit_a,
        kind="recognition",
        number="08/QĐ-UBND",
        signed_on=D(2019, 1, 10),
        signer="Chủ tịch UBND huyện Việt Yên",
    )
    announced.refresh_from_db()
    assert announced.status == S.ANNOUNCED
    entry = selectors.status_for_units([tree.unit_a])[tree.unit_a.pk]
    assert (entry.status, entry.recognition, entry.announcement.kind) == (
        S.ANNOUNCED,
        recognition,
        "announcement",
    )


def test_status_on_a_past_day_comes_from_the_decisions_in_force_then(announced, supervisor, tree):
    """The annual report of a past year shows the status on its last day, not today's."""
    from tests.certification.factories import ANNOUNCED_ON

    services.decision_record(
        actor=supervisor,
        unit=tree.unit_a,
        kind="revocation",
        number="02/QĐ-UBND",
        signed_on=D(2019, 2, 1),
        signer="Chủ tịch UBND huyện",
    )
    units = [tree.unit_a, tree.unit_b]  # unit_b has no profile
    before = selectors.status_on(units, ANNOUNCED_ON - datetime.timedelta(days=1))
    assert before[tree.unit_a.pk].status == S.BUILDING and before[tree.unit_a.pk].announcement is None
    assert before[tree.unit_b.pk].status is None and before[tree.unit_b.pk].get_status_display() == ""
    then = selectors.status_on(units, D(2019, 1, 31))[tree.unit_a.pk]
    assert then.status == S.ANNOUNCED and then.announcement.number == "15/QĐ-UBND"
    assert then.version.code == announced.standard_version.code
    assert then.get_status_display() == str(S.ANNOUNCED.label)
    assert selectors.status_on(units, D(2019, 2, 1))[tree.unit_a.pk].status == S.LAPSED
    assert selectors.status_for_units(units)[tree.unit_a.pk].status == S.LAPSED


def test_recognition_does_not_announce(profile, supervisor, tree):
    services.decision_record(
        actor=supervisor,
        unit=tree.unit_a,
        kind="recognition",
        number="08",
        signed_on=D(2019, 1, 10),
        signer="X",
    )
    profile.refresh_from_db()
    assert profile.status == S.BUILDING and not selectors.is_announced(profile)


# --- Permissions ---------------------------------------------------------------------------
def test_supervisor_may_record_an_announcement(profile, supervisor, tree):
    announce(supervisor, tree.unit_a)
    assert Decision.objects.count() == 1


@pytest.mark.parametrize("who", ["officer_b", "auditor", "committee", "viewer"])
def test_announcement_needs_change_on_the_unit(profile, tree, who, request):
    with pytest.raises(PermissionDenied):
        announce(request.getfixturevalue(who), tree.unit_a)
    assert not Decision.objects.exists()


@pytest.mark.parametrize("kind", ["recognition", "revocation"])
@pytest.mark.parametrize("who", ["officer_a", "officer_b", "auditor", "committee", "viewer"])
def test_recognition_and_revocation_need_manage(announced, tree, who, kind, request):
    with pytest.raises(PermissionDenied):
        services.decision_record(
            actor=request.getfixturevalue(who),
            unit=tree.unit_a,
            kind=kind,
            number="99",
            signed_on=D(2019, 1, 10),
            signer="X",
        )
    assert Decision.objects.count() == 1


@pytest.mark.parametrize("who", ["officer_b", "auditor", "committee", "viewer"])
def test_profile_writes_need_change(profile, tree, who, request):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.profile_update(actor=actor, profile=profile, scope_statement="Khác")
    with pytest.raises(PermissionDenied):
        make_profile(actor, tree.other_commune)
    profile.refresh_from_db()
    assert profile.scope_statement == SCOPE
    assert not QmsProfile.objects.filter(unit=tree.other_commune).exists()


def test_supervisor_outside_district_may_not_recognise(tree, supervisor, superuser):
    make_profile(superuser, tree.other_commune)
    announce(superuser, tree.other_commune)
    with pytest.raises(PermissionDenied):
        services.decision_record(
            actor=supervisor,
            unit=tree.other_commune,
            kind="recognition",
            number="08",
            signed_on=D(2019, 1, 10),
            signer="X",
        )
    assert Decision.objects.count() == 1


# --- Bad input -----------------------------------------------------------------------------
def test_reannouncement_needs_reason(announced, officer_a, tree):
    with pytest.raises(ValidationError) as error:
        reannounce(officer_a, tree.unit_a, reason="")
    assert "reason" in error.value.message_dict
    assert Decision.objects.count() == 1


def test_reannouncement_reason_must_be_known(announced, officer_a, tree):
    with pytest.raises(ValidationError) as error:
        reannounce(officer_a, tree.unit_a, reason="whim")
    assert "reason" in error.value.message_dict
    assert Decision.objects.count() == 1


def test_duplicate_number_per_unit(announced, officer_a, officer_b, tree):
    with pytest.raises(ValidationError):
        reannounce(officer_a, tree.unit_a, number="15/QĐ-UBND")
    assert Decision.objects.count() == 1
    assert Decision.objects.get().is_current
    # The same number in another unit is fine.
    make_profile(officer_b, tree.unit_b)
    announce(officer_b, tree.unit_b, number="15/QĐ-UBND")


def test_signed_in_the_future(profile, officer_a, tree):
    with pytest.raises(ValidationError) as error:
        announce(officer_a, tree.unit_a, signed_on=datetime.date.today() + datetime.timedelta(days=2))
    assert "signed_on" in error.value.message_dict
    assert not Decision.objects.exists()
    profile.refresh_from_db()
    assert profile.status == S.BUILDING


def test_cannot_be_signed_before_the_decision_it_replaces(announced, officer_a, tree):
    with pytest.raises(ValidationError):
        reannounce(officer_a, tree.unit_a, signed_on=D(2018, 1, 1))
    assert Decision.objects.count() == 1


def test_decision_needs_a_profile(tree, officer_a):
    with pytest.raises(ValidationError):
        announce(officer_a, tree.unit_a)
    assert not Decision.objects.exists()


def test_missing_fields(profile, officer_a, tree):
    with pytest.raises(ValidationError) as error:
        announce(officer_a, tree.unit_a, number=" ", signer="")
    assert {"number", "signer"} <= set(error.value.message_dict)
    assert not Decision.objects.exists()


def test_profile_dates_not_in_future(profile, officer_a):
    future = datetime.date.today() + datetime.timedelta(days=5)
    with pytest.raises(ValidationError) as error:
        services.profile_update(
            actor=officer_a, profile=profile, effective_confirmed_on=future, steering_decision_date=future
        )
    assert {"effective_confirmed_on", "steering_decision_date"} <= set(error.value.message_dict)
    profile.refresh_from_db()
    assert profile.effective_confirmed_on is None


# --- History -------------------------------------------------------------------------------
def test_history_rows(announced, officer_a, tree):
    services.profile_update(actor=officer_a, profile=announced, scope_statement="Phạm vi mới.")
    reannounce(officer_a, tree.unit_a)
    assert announced.history.count() >= 3
    statuses = set(announced.history.values_list("status", flat=True))
    assert {S.BUILDING, S.ANNOUNCED, S.NEEDS_REANNOUNCEMENT} <= statuses
    old = Decision.objects.get(kind="announcement")
    assert old.history.count() == 2  # created, then superseded


# --- Selectors -----------------------------------------------------------------------------
def test_status_for_units_constant_queries(tree, supervisor):
    def add_units(n):
        for i in range(n):
            unit = UnitFactory(parent=tree.district)
            make_profile(supervisor, unit, tthc=(f"1.9{i:05d}",))
            announce(supervisor, unit, number=f"{unit.pk}/QĐ")
            services.decision_record(
                actor=supervisor,
                unit=unit,
                kind="recognition",
                number=f"R{unit.pk}",
                signed_on=D(2019, 1, 10),
                signer="X",
            )

    def count():
        units = list(Unit.objects.filter(parent=tree.district))
        with CaptureQueriesContext(connection) as ctx:
            result = selectors.status_for_units(units)
            for entry in result.values():
                str(entry.profile and entry.profile.standard_version)
                str(entry.announcement and entry.announcement.standard_version)
        return len(ctx.captured_queries), result

    add_units(2)
    small, _ = count()
    add_units(8)
    large, result = count()
    assert small == large <= 2
    announced = [e for e in result.values() if e.status == S.ANNOUNCED]
    assert len(announced) == 10 and all(e.recognition for e in announced)
    assert result[tree.unit_a.pk].profile is None and result[tree.unit_a.pk].status is None
