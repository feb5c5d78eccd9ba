"""The certification demo of `seed_demo`: the Việt Yên units in early 2019, all announced under
TCVN ISO 9001:2015 and recognised in January 2019, objectives measured (some failing, two
indicators flagged), the 2018 score sheets approved and ranked; a re-run changes nothing.

The demo is seeded once for the module (it takes a few seconds) inside a transaction that is
rolled back at the end; each test runs in a savepoint inside it."""

import datetime
import io
import time
from collections import Counter

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import override_settings

from certification import demo, selectors
from certification.models import (
    Criterion,
    Decision,
    Indicator,
    Measurement,
    Objective,
    QmsProfile,
    ScoreLine,
    ScoreSheet,
    ScoringRound,
    VersionTransition,
)
from communes.demo import PILOT_CODES
from communes.models import Unit

User = get_user_model()
D = datetime.date
MODELS = [
    QmsProfile,
    Decision,
    VersionTransition,
    Objective,
    Indicator,
    Measurement,
    ScoringRound,
    Criterion,
    ScoreSheet,
    ScoreLine,
]


def run_seed():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """`seed_demo` once for the module: (its output, seconds)."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        transaction.atomic(),
    ):
        started = time.monotonic()
        output = run_seed()
        yield output, time.monotonic() - started
        transaction.set_rollback(True)


@pytest.fixture
def units(seeded, db):
    district = Unit.objects.get(code_system="legacy", code="222")
    return list(Unit.objects.filter(parent=district).order_by("code"))


def state():
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts |= {
        m.__name__: m.objects.count()
        for m in apps.get_app_config("certification").get_models()
        if "Historical" in m.__name__
    }
    counts["statuses"] = sorted(
        QmsProfile.objects.values_list("unit__code", "status", "standard_version__code")
    )
    counts["decisions"] = sorted(Decision.objects.values_list("unit__code", "number", "kind", "signed_on"))
    counts["measurements"] = sorted(
        Measurement.objects.values_list(
            "indicator__objective__unit__code", "indicator__name", "period", "value"
        )
    )
    counts["sheets"] = sorted(
        ScoreSheet.objects.values_list("round__year", "unit__code", "status", "final_total")
    )
    return counts


def test_seed_twice_changes_nothing(seeded, db):
    output, seconds = seeded
    print(output)  # the summary lines and each app's seeding time, shown with -rP
    assert "QMS: 17 profiles (17 announced), " in output
    first = state()
    run_seed()
    assert state() == first


def test_every_unit_announced_under_2015(units):
    legacy = QmsProfile.objects.filter(unit__code_system="legacy")
    profiles = {p.unit.code: p for p in legacy.select_related("unit", "standard_version")}
    assert sorted(profiles) == [u.code for u in units]
    # Since the 2025 reorganisation, Phường Việt Yên (the successor of Bích Động and three
    # others) must announce its own QMS.
    [merged] = QmsProfile.objects.filter(unit__code_system="2025")
    assert merged.status == QmsProfile.Status.NEEDS_ANNOUNCEMENT
    for profile in profiles.values():
        assert profile.status == QmsProfile.Status.ANNOUNCED
        assert profile.standard_version.code == demo.V2015
        assert selectors.is_announced(profile), profile.unit  # from the decisions, not the stored status
        assert profile.scope_statement and profile.steering_decision_number and profile.steering_decision_date
        assert 4 <= len(profile.steering_members.splitlines()) <= 5
        assert profile.effective_confirmed_on
    # The TTHC in scope are those the unit's TTHC procedures serve: the pilots have one more.
    scope = {code: p.procedures.count() for code, p in profiles.items()}
    assert {scope[code] for code in PILOT_CODES} == {13}
    assert {n for code, n in scope.items() if code not in PILOT_CODES} == {12}
    officer = User.objects.get(username="bichdong")
    assert f"{officer.last_name} {officer.first_name}" in profiles["07777"].steering_members


def test_announcements_and_recognitions(units):
    decisions = Decision.objects.select_related("unit", "standard_version", "superseded_by")
    recognitions = decisions.filter(kind=Decision.Kind.RECOGNITION)
    assert recognitions.count() == 17
    assert {(d.signed_on.year, d.signed_on.month) for d in recognitions} == {(2019, 1)}
    assert {d.signer for d in recognitions} == {"Chủ tịch UBND thị xã Việt Yên"}
    assert all(d.is_current and d.standard_version.code == demo.V2015 for d in recognitions)
    assert len({d.number for d in recognitions}) == 17
    # The pilots: 2008 in 2017, re-announced under 2015 (new version) in 2018.
    for code in PILOT_CODES:
        first, again = decisions.filter(unit__code=code, kind__in=Decision.ANNOUNCING).order_by("signed_on")
        assert (first.kind, first.signed_on.year, first.standard_version.code) == (
            Decision.Kind.ANNOUNCEMENT,
            2017,
            demo.V2008,
        )
        assert first.superseded_by == again
        assert (again.kind, again.reason, again.signed_on.year) == (
            Decision.Kind.REANNOUNCEMENT,
            Decision.Reason.NEW_VERSION,
            2018,
        )
        assert len(again.procedures_snapshot) == len(first.procedures_snapshot) + 1
    # The roll-out: announced under 2015 in November and December 2018.
    rollout = decisions.filter(kind=Decision.Kind.ANNOUNCEMENT).exclude(unit__code__in=PILOT_CODES)
    assert rollout.count() == 15
    assert {(d.signed_on.year, d.signed_on.month) for d in rollout} == {(2018, 11), (2018, 12)}
    assert all(d.is_current and d.standard_version.code == demo.V2015 for d in rollout)


def test_the_transition_to_2015_is_done_everywhere(units):
    transition = VersionTransition.objects.get()
    assert transition.unit == units[0].parent
    assert transition.deadline == D(2019, 8, 1) and transition.target_version.code == demo.V2015
    board = selectors.transition_board(transition)
    assert [row.unit.code for row in board] == sorted(u.code for u in units)
    assert {row.state for row in board} == {"done"}


def test_objectives_and_measurements(units):
    for year in (2018, 2019):
        per_unit = Counter(Objective.objects.filter(year=year).values_list("unit__code", flat=True))
        assert per_unit == {u.code: 3 for u in units}
    sizes = Objective.objects.annotate(n=Count("indicators")).values_list("n", flat=True)
    assert set(sizes) == {1, 2}
    assert not Objective.objects.filter(year=2019, copied_from=None).exists()
    assert set(Indicator.objects.values_list("frequency", flat=True)) == {"monthly", "quarterly", "yearly"}
    assert set(Indicator.objects.values_list("direction", flat=True)) == {"at_least", "at_most"}
    # Every period of 2018 measured; in 2019 the first quarter, January and February.
    picture = D(2019, 4, 5)
    assert selectors.overdue_measurements(Indicator.objects.filter(objective__year=2018), today=picture) == []
    assert selectors.overdue_measurements(Indicator.objects.filter(objective__year=2019), today=picture) == []
    in_2019 = Counter(
        Measurement.objects.filter(indicator__objective__year=2019).values_list(
            "indicator__frequency", "period"
        )
    )
    assert set(in_2019) == {("monthly", 1), ("monthly", 2), ("quarterly", 1)}
    # Some fail, each with the reason; no more than one in six.
    measurements = list(Measurement.objects.select_related("indicator"))
    failing = [m for m in measurements if not m.passed]
    assert 0.08 * len(measurements) <= len(failing) <= len(measurements) / 6
    assert all(m.comment for m in failing)
    assert {m.indicator.objective.year for m in failing} == {2018, 2019}
    assert all(
        m.recorded_on > m.indicator.period_bounds(m.indicator.objective.year, m.period)[1]
        for m in measurements
    )


def test_exactly_two_indicators_flagged(units):
    flagged = Indicator.objects.filter(flagged=True).select_related("objective__unit", "flagged_by")
    assert flagged.count() == 2
    assert {i.objective.unit.code for i in flagged} == set(demo.FLAGS)
    for indicator in flagged:
        assert indicator.flag_comment and indicator.flagged_by.username == "district"
        assert indicator.objective.year == 2019 and indicator.flagged_on == demo.FLAGGED_ON


def test_2018_score_sheets_approved_and_ranked(units):
    scoring_round = ScoringRound.objects.get(unit=units[0].parent, year=2018)
    criteria = list(scoring_round.criteria.all())
    assert [c.code for c in criteria] == [str(n) for n in range(1, 9)]
    assert sum(c.max_points for c in criteria) == 100
    assert {c.source for c in criteria} == {
        "",
        "internal_audit",
        "management_review",
        "tthc_coverage",
        "overdue_actions",
    }
    committee = User.objects.get(username="committee")
    sheets = list(scoring_round.sheets.all())
    assert len(sheets) == 17
    assert all(s.status == ScoreSheet.Status.APPROVED and s.approved_by == committee for s in sheets)
    table = selectors.league_table(scoring_round)
    assert table.all_approved
    ranks = [row.rank for row in table.rows]
    assert ranks[0] == 1 and None not in ranks
    assert len(set(ranks)) < len(ranks)  # a tie or two
    assert [row.unit.code for row in table.rows[:2]] == ["07777", "07798"]
    assert len(table.commendation) == 3 and len(table.needs_support) == 3
    # The supervisor adjusted a few scores, always saying why; the officers commented every line.
    lines = ScoreLine.objects.filter(sheet__round=scoring_round).select_related("criterion")
    adjusted = [line for line in lines if line.final_score != line.self_score]
    assert len(adjusted) >= 5 and all(line.final_comment for line in adjusted)
    assert all(line.self_comment for line in lines if not line.criterion.source)
    assert all(line.figure for line in lines if line.criterion.source)


def test_2019_round_open_not_scored(units):
    old, new = (ScoringRound.objects.get(unit=units[0].parent, year=y) for y in (2018, 2019))
    fields = ("code", "title", "max_points", "source", "evidence", "order")
    assert list(new.criteria.values_list(*fields)) == list(old.criteria.values_list(*fields))
    assert new.self_score_due == D(2020, 1, 15)
    assert set(new.sheets.values_list("status", flat=True)) == {ScoreSheet.Status.DRAFT}
    assert new.sheets.count() == 17
    assert (
        not ScoreLine.objects.filter(sheet__round=new, criterion__source="").exclude(self_score=None).exists()
    )


def test_bichdong_sees_only_bich_dong(units):
    bichdong = User.objects.get(username="bichdong")
    visible = Objective.objects.for_user(bichdong)
    assert set(visible.values_list("unit__code", flat=True)) == {"07777"}
    assert set(ScoreSheet.objects.for_user(bichdong).values_list("unit__code", flat=True)) == {"07777"}
    assert (
        Measurement.objects.for_user(bichdong).count()
        == Measurement.objects.filter(indicator__objective__unit__code="07777").count()
    )


def test_committee_reads_qms_records_in_admin(units):
    group = Group.objects.get(name="Ban Chỉ đạo ISO")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"view_qmsprofile", "view_objective", "view_scoresheet", "view_measurement"} <= codenames
    assert "change_scoresheet" not in codenames
