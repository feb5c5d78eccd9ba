"""The 2025 reorganisation and the QMS: a unit formed by a merger (or a split) is a new agency
that announces its QMS again. Its profile "needs announcement" until an announcement signed since
the merger; the carry-over "qms_profile" sets the profile up; the reminder
"reannouncement_needed" fires for it; every list of statuses knows the new one; and the registry
holds the three carry-overs of the domain apps."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certification import selectors, services
from certification.models import Decision, QmsProfile, StandardVersion
from certification.services import carry_over
from certification.tables_profiles import STATUS_CSS
from communes.models import Membership, Succession, Unit
from communes.services_merge import units_merge
from core import reorganisation
from core.scoping import get_scope
from reminders.rules import get_rule
from reminders.rules.base import Context
from reminders.rules.certification import MERGER_ANNOUNCE_MONTHS
from reminders.rules.common import legal_period_end
from reports.pdf import VI_STATUS
from reports.views.dashboard import STATUS_COLOURS
from tests.certification.factories import (
    SCOPE,
    V2008,
    V2015,
    D,
    announce,
    english,  # noqa: F401 -- fixture
    make_profile,
    version,
)
from tests.factories import MembershipFactory, SuccessionFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.usefixtures("english")
S = QmsProfile.Status
MERGED_ON = D(2025, 7, 1)
DAY = datetime.timedelta(days=1)


def wards(parent, *names, **kwargs):
    return [UnitFactory(name=name, kind=Unit.Kind.WARD, parent=parent, **kwargs) for name in names]


def link(predecessors, successor, kind=Succession.Kind.MERGE, on=MERGED_ON):
    """The lineage the merge workflow writes (communes.services_merge)."""
    for unit in predecessors:
        SuccessionFactory(predecessor=unit, successor=successor, effective_on=on, kind=kind)


@pytest.fixture
def merger(tree, supervisor):
    """Two wards, each with its profile announced in 2018, merged on 01/07/2025 into a new one."""
    old_a, old_b = wards(tree.district, "Phường Cũ A", "Phường Cũ B", valid_until=MERGED_ON - DAY)
    (new,) = wards(tree.district, "Phường Mới", valid_from=MERGED_ON)
    make_profile(supervisor, old_a, tthc=("1.001193", "1.000894"))
    make_profile(supervisor, old_b, scope="Phạm vi của phường B.", tthc=("1.000894", "2.000001"))
    announce(supervisor, old_a)
    announce(supervisor, old_b)
    link([old_a, old_b], new)
    return old_a, old_b, new


def carry(actor, merger):
    old_a, old_b, new = merger
    return carry_over.qms_profile_carry(
        actor=actor, predecessor_ids=[old_a.pk, old_b.pk], successor=new, on=MERGED_ON
    )


# --- The registry ----------------------------------------------------------------------------
def test_the_registry_holds_the_three_carry_overs():
    keys = [c.key for c in reorganisation.carry_overs()]
    assert {"qms_profile", "corrective_actions", "update_tasks"} <= set(keys)
    assert keys.index("qms_profile") < keys.index("corrective_actions")  # the profile first
    entry = reorganisation.get("qms_profile")
    assert (str(entry.label), entry.order) == ("QMS profile of the new unit", 10)
    assert str(reorganisation.get("corrective_actions").label) == "Open corrective actions"
    assert str(reorganisation.get("update_tasks").label) == "Open document update tasks"


# --- The status --------------------------------------------------------------------------------
def test_a_merged_unit_needs_announcement_until_it_announces(merger, supervisor):
    _old_a, _old_b, new = merger
    profile = make_profile(supervisor, new)
    assert profile.status == S.NEEDS_ANNOUNCEMENT
    assert str(S.NEEDS_ANNOUNCEMENT.label) == "needs announcement (merged unit)"
    # Confirmed effective: still to be announced, not "applying".
    profile = services.profile_update(actor=supervisor, profile=profile, effective_confirmed_on=D(2025, 8, 1))
    assert profile.status == S.NEEDS_ANNOUNCEMENT and not selectors.is_announced(profile)

    announce(supervisor, new, number="01/QĐ-UBND", signed_on=D(2025, 9, 1))
    profile.refresh_from_db()
    assert profile.status == S.ANNOUNCED and selectors.is_announced(profile)
    # Its history records both.
    assert {S.NEEDS_ANNOUNCEMENT, S.ANNOUNCED} <= set(
        QmsProfile.history.filter(id=profile.pk).values_list("status", flat=True)
    )


def test_an_announcement_before_the_merger_does_not_count(tree, supervisor):
    """A ward that absorbs others is a new unit too: its own 2018 announcement no longer covers it."""
    (old,) = wards(tree.district, "Phường Bị Sáp Nhập", valid_until=MERGED_ON - DAY)
    (keeper,) = wards(tree.district, "Phường Tiếp Nhận")
    profile = make_profile(supervisor, keeper)
    announce(supervisor, keeper)
    profile.refresh_from_db()
    assert profile.status == S.ANNOUNCED
    link([old], keeper)
    services.refresh_status(profile)
    assert profile.status == S.NEEDS_ANNOUNCEMENT and not selectors.is_announced(profile)

    # The annual report of a past year: announced before the merger, to be announced after.
    assert selectors.status_on([keeper], MERGED_ON - DAY)[keeper.pk].status == S.ANNOUNCED
    assert selectors.status_on([keeper], D(2025, 12, 31))[keeper.pk].status == S.NEEDS_ANNOUNCEMENT

    services.decision_record(
        actor=supervisor,
        unit=keeper,
        kind=Decision.Kind.REANNOUNCEMENT,
        reason=Decision.Reason.MERGER,
        number="02/QĐ-UBND",
        signed_on=D(2025, 10, 1),
        signer="Chủ tịch UBND phường",
    )
    profile.refresh_from_db()
    assert profile.status == S.ANNOUNCED
    assert selectors.status_on([keeper], D(2025, 12, 31))[keeper.pk].status == S.ANNOUNCED


def test_a_revocation_after_the_merger_lapses(merger, supervisor):
    _old_a, _old_b, new = merger
    profile = make_profile(supervisor, new)
    announce(supervisor, new, number="01/QĐ-UBND", signed_on=D(2025, 9, 1))
    services.decision_record(
        actor=supervisor,
        unit=new,
        kind=Decision.Kind.REVOCATION,
        number="03/QĐ-UBND",
        signed_on=D(2025, 11, 1),
        signer="Chủ tịch UBND tỉnh",
    )
    profile.refresh_from_db()
    assert profile.status == S.LAPSED


@pytest.mark.parametrize(
    "kind, expected",
    [
        (Succession.Kind.MERGE, S.NEEDS_ANNOUNCEMENT),
        (Succession.Kind.SPLIT, S.NEEDS_ANNOUNCEMENT),
        (Succession.Kind.RENAME, S.BUILDING),
    ],
)
def test_only_a_merger_or_a_split_makes_a_new_unit(tree, supervisor, kind, expected):
    (old,) = wards(tree.district, "Phường Tên Cũ", valid_until=MERGED_ON - DAY)
    (new,) = wards(tree.district, "Phường Tên Mới", valid_from=MERGED_ON)
    link([old], new, kind=kind)
    assert make_profile(supervisor, new).status == expected
    # The predecessor's own status is unchanged by the lineage.
    assert make_profile(supervisor, old).status == S.BUILDING


# --- The carry-over --------------------------------------------------------------------------
def test_carry_sets_up_the_profile_of_the_new_unit(merger, supervisor):
    old_a, old_b, new = merger
    before = [(p.pk, p.status, p.updated_at) for p in QmsProfile.objects.filter(unit__in=[old_a, old_b])]
    StandardVersion.objects.create(code="TCVN ISO 9001:2030", sort_order=99)

    assert carry(supervisor, merger) == 1

    profile = QmsProfile.objects.get(unit=new)
    assert profile.standard_version.code == "TCVN ISO 9001:2030"  # the newest version
    assert profile.scope_statement == SCOPE  # the first predecessor's, as a draft
    assert sorted(profile.procedures.values_list("code", flat=True)) == ["1.000894", "1.001193", "2.000001"]
    assert profile.status == S.NEEDS_ANNOUNCEMENT
    assert (profile.steering_members, profile.effective_confirmed_on) == ("", None)
    # The predecessors' profiles stay as they were, in the archive.
    assert [
        (p.pk, p.status, p.updated_at) for p in QmsProfile.objects.filter(unit__in=[old_a, old_b])
    ] == before


def test_carry_without_predecessor_profiles(tree, supervisor):
    old = wards(tree.district, "Phường X", "Phường Y", valid_until=MERGED_ON - DAY)
    (new,) = wards(tree.district, "Phường XY", valid_from=MERGED_ON)
    link(old, new)
    ids = [u.pk for u in old]
    [row] = carry_over.qms_profile_preview(ids)
    assert (row.unit_id, row.url) == (old[0].pk, "")
    assert "new QMS profile" in row.label
    assert carry_over.qms_profile_carry(actor=supervisor, predecessor_ids=ids, successor=new) == 1
    profile = QmsProfile.objects.get(unit=new)
    assert (profile.scope_statement, profile.procedures.count(), profile.standard_version.code) == (
        "",
        0,
        V2015,
    )
    assert profile.status == S.NEEDS_ANNOUNCEMENT


def test_preview_says_what_the_profile_starts_from_and_nothing_once_set_up(merger, supervisor):
    old_a, old_b, new = merger
    ids = [old_a.pk, old_b.pk]
    rows = carry_over.qms_profile_preview(ids)
    profiles = {p.unit_id: p for p in QmsProfile.objects.filter(unit_id__in=ids)}
    assert [(r.unit_id, r.url) for r in rows] == [(pk, profiles[pk].get_absolute_url()) for pk in ids]
    assert "TCVN ISO 9001:2015 with 2 TTHC in scope" in rows[0].label

    carry(supervisor, merger)
    assert carry_over.qms_profile_preview(ids) == []
    count = QmsProfile.objects.count()
    assert carry(supervisor, merger) == 0  # carrying again creates nothing
    assert QmsProfile.objects.count() == count


def test_carry_brings_an_existing_profile_of_the_successor_up_to_date(tree, supervisor):
    (old,) = wards(tree.district, "Phường Bị Sáp Nhập", valid_until=MERGED_ON - DAY)
    (keeper,) = wards(tree.district, "Phường Tiếp Nhận")
    profile = make_profile(supervisor, keeper, code=V2008)
    announce(supervisor, keeper)
    link([old], keeper)  # recorded by the workflow, the stored status not yet recomputed
    assert carry_over.qms_profile_carry(actor=supervisor, predecessor_ids=[old.pk], successor=keeper) == 0
    profile.refresh_from_db()
    assert (profile.status, profile.standard_version.code) == (S.NEEDS_ANNOUNCEMENT, V2008)


@pytest.mark.parametrize("role", [Membership.Role.OFFICER, Membership.Role.COMMITTEE, Membership.Role.VIEWER])
def test_carry_needs_manage_on_the_successor(merger, role):
    user = UserFactory(username=f"new_{role}")
    MembershipFactory(user=user, unit=merger[2], role=role)
    with pytest.raises(PermissionDenied):
        carry(user, merger)
    assert not QmsProfile.objects.filter(unit=merger[2]).exists()


def test_preview_and_carry_keep_a_constant_number_of_queries(tree, supervisor):
    get_scope(supervisor)  # the scope is read once per user: leave it out of the counts

    def grow(n, tag):
        old = wards(tree.district, *[f"Phường {tag} {i}" for i in range(n)], valid_until=MERGED_ON - DAY)
        (new,) = wards(tree.district, f"Phường {tag} mới", valid_from=MERGED_ON)
        for i, unit in enumerate(old):
            make_profile(supervisor, unit, tthc=(f"1.{tag}{i}a", f"1.{tag}{i}b"))
        link(old, new)
        return [u.pk for u in old], new

    counts = []
    for n, tag in ((2, "F"), (9, "M")):
        ids, new = grow(n, tag)
        with CaptureQueriesContext(connection) as preview:
            rows = carry_over.qms_profile_preview(ids)
        with CaptureQueriesContext(connection) as carried:
            carry_over.qms_profile_carry(actor=supervisor, predecessor_ids=ids, successor=new)
        assert len(rows) == n and QmsProfile.objects.get(unit=new).procedures.count() == 2 * n
        counts.append((len(preview.captured_queries), len(carried.captured_queries)))
    assert counts[0] == counts[1] and counts[0][0] == 2


def test_the_merge_workflow_runs_the_carry_overs(tree, supervisor):
    """communes.services_merge.units_merge writes the lineage, then runs the chosen carry-overs in
    their order: the new unit's profile comes out needing announcement."""
    old = wards(tree.district, "Phường Một", "Phường Hai")
    (new,) = wards(tree.district, "Phường Một Hai")
    make_profile(supervisor, old[0])
    result = units_merge(
        actor=supervisor,
        predecessors=old,
        successor=new,
        effective_on=MERGED_ON,
        carry=["qms_profile", "corrective_actions", "update_tasks"],
    )
    assert [(str(label), n) for label, n in result.carried] == [
        ("QMS profile of the new unit", 1),
        ("Open corrective actions", 0),
        ("Open document update tasks", 0),
    ]
    assert QmsProfile.objects.get(unit=new).status == S.NEEDS_ANNOUNCEMENT


# --- The reminder ------------------------------------------------------------------------------
def collect(today, horizon_days=30):
    rule = get_rule("reannouncement_needed")
    return list(rule.collect(Context(today=today, horizon=today + datetime.timedelta(days=horizon_days))))


def test_the_reminder_fires_for_a_merged_unit(merger, supervisor):
    _old_a, _old_b, new = merger
    profile = make_profile(supervisor, new)
    due = legal_period_end(MERGED_ON, months=MERGER_ANNOUNCE_MONTHS)
    assert MERGER_ANNOUNCE_MONTHS == 6 and D(2026, 1, 1) <= due <= D(2026, 1, 10)
    assert collect(due - datetime.timedelta(days=40)) == []
    [item] = collect(due - datetime.timedelta(days=20))
    assert (item.unit_id, item.due_on, item.url) == (new.pk, due, profile.get_absolute_url())
    assert item.object_key == f"certification.qmsprofile:{profile.pk}"
    assert new.name in item.title and "01/07/2025" in item.title
    # The predecessors, no longer in operation, are not reminded of anything.
    assert [i.unit_id for i in collect(due, horizon_days=365)] == [new.pk]
    assert "6 months" in str(get_rule("reannouncement_needed").description)


def test_the_reminder_period_is_a_setting(merger, supervisor, settings):
    settings.MERGER_ANNOUNCE_MONTHS = 3
    make_profile(supervisor, merger[2])
    [item] = collect(D(2025, 9, 20))
    assert item.due_on == legal_period_end(MERGED_ON, months=3)


def test_the_reminder_ends_with_the_announcement(merger, supervisor):
    _old_a, _old_b, new = merger
    make_profile(supervisor, new)
    announce(supervisor, new, number="01/QĐ-UBND", signed_on=D(2025, 9, 1))
    assert collect(D(2025, 12, 20), horizon_days=365) == []


def test_the_reminder_keeps_a_constant_number_of_queries(tree):
    def add(n, tag):
        new_units = wards(tree.district, *[f"Phường {tag} {i}" for i in range(n)], valid_from=MERGED_ON)
        for unit in new_units:
            (old,) = wards(tree.district, f"Phường cũ {unit.name}", valid_until=MERGED_ON - DAY)
            link([old], unit)
            QmsProfile.objects.create(unit=unit, standard_version=version(V2015), status=S.NEEDS_ANNOUNCEMENT)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            items = collect(D(2025, 12, 20))
        return len(ctx.captured_queries), items

    add(2, "F")
    few, _items = queries()
    add(12, "M")
    many, items = queries()
    assert len(items) == 14 and few == many == 2


# --- Every list of statuses knows the new one --------------------------------------------------
def test_every_status_has_its_colour_badge_and_vietnamese_label():
    assert set(STATUS_CSS) == set(S) and STATUS_CSS[S.NEEDS_ANNOUNCEMENT] == "text-bg-warning"
    assert set(STATUS_COLOURS) - {None} == set(S)
    assert VI_STATUS[S.NEEDS_ANNOUNCEMENT] == "Cần công bố lại (đơn vị mới sau sáp nhập)"
    assert set(VI_STATUS) == set(S)


def test_pages_show_the_status(client, merger, supervisor):
    _old_a, _old_b, new = merger
    profile = make_profile(supervisor, new)
    client.force_login(supervisor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    html = client.get(profile.get_absolute_url()).content.decode()
    assert 'data-status="needs_announcement"' in html and "needs announcement (merged unit)" in html
    assert "formed by a merger on 01/07/2025" in html and "alert-warning" in html

    response = client.get(reverse("certification:profile_list"))
    assert response.status_code == 200 and 'data-status="needs_announcement"' in response.content.decode()
    response = client.get(reverse("certification:profile_list") + "?status=needs_announcement")
    assert response.status_code == 200 and new.name in response.content.decode()

    response = client.get("/")
    assert response.status_code == 200
    charts = response.context["charts"]["status"]
    assert "needs announcement (merged unit)" in charts["labels"]
    assert STATUS_COLOURS[S.NEEDS_ANNOUNCEMENT] in charts["colours"]
