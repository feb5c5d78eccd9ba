"""The officer's dashboard (issue 8): what falls due this week and what is overdue for the
unit, computed from the reminder rules (before any sweep), and the unit's figures beside the
median of its peers (same parent, same group of kinds), which are worked out here by hand.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit, CorrectiveAction
from communes.models import Unit
from reminders.models import Reminder, RuleSetting
from reports import selectors
from tests.certification.factories import V2008
from tests.factories import SuccessionFactory, UnitFactory
from tests.reports import dashboard_factories as f

DAY = datetime.timedelta(days=1)
D = datetime.date


@pytest.fixture
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def today():
    return timezone.localdate()


def _officer_page(client, user):
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="panel-officer-dashboard"' in html and 'id="panel-supervisor-dashboard"' not in html
    return response, f.read(response)


# --- What falls due -------------------------------------------------------------------------------
def _action(unit, owner, due_on, text, state=CorrectiveAction.State.PLANNED):
    nc = f.nonconformity(unit, owner)
    action = f.action(nc, owner, due_on, state=state)
    CorrectiveAction.objects.filter(pk=action.pk).update(action=text)
    return action


def test_due_this_week_and_overdue_for_the_unit(client, english, tree, officer_a, supervisor, today):
    a, b = tree.unit_a, tree.unit_b
    late = _action(a, supervisor, today - 2 * DAY, "Hành động trễ hạn của A")
    _action(a, supervisor, today + 3 * DAY, "Hành động sắp đến hạn của A")
    _action(a, supervisor, today + 20 * DAY, "Hành động còn xa của A")
    _action(b, supervisor, today - 2 * DAY, "Hành động trễ hạn của B")
    f.document(a, today + 5 * DAY, code="QT-SAP-XEM-XET")
    f.document(a, today + 40 * DAY, code="QT-CON-LAU")
    response, page = _officer_page(client, officer_a)
    assert "Hành động trễ hạn của A" in page.ids["due-overdue"]
    soon = page.ids["due-soon"]
    assert "Hành động sắp đến hạn của A" in soon and "QT-SAP-XEM-XET" in soon
    html = response.content.decode()
    assert "Hành động còn xa của A" not in html and "QT-CON-LAU" not in html
    assert "Hành động trễ hạn của B" not in html
    url = reverse("actions:nonconformity_detail", args=[late.nonconformity_id]) + f"#action-{late.pk}"
    assert f'href="{url}"' in html
    # Computed from the rules: nothing was written to the outbox.
    assert not Reminder.objects.exists()


def test_overdue_first_the_oldest_and_escalation_shown(tree, officer_a, supervisor, today):
    _action(tree.unit_a, supervisor, today - 30 * DAY, "Rất trễ")
    _action(tree.unit_a, supervisor, today - DAY, "Trễ một ngày")
    due = selectors.due_items(officer_a, tree.unit_a, today)
    assert [(i.rule_key, i.stage) for i in due.overdue] == [
        ("action_due", "escalated"),
        ("action_due", "overdue"),
    ]
    assert "Rất trễ" in due.overdue[0].title
    assert due.horizon == today + 7 * DAY


def test_a_rule_disabled_for_the_unit_is_left_out(tree, officer_a, supervisor, today):
    _action(tree.unit_a, supervisor, today - 2 * DAY, "Hành động trễ hạn")
    assert [i.rule_key for i in selectors.due_items(officer_a, tree.unit_a, today).overdue] == ["action_due"]
    RuleSetting.objects.create(rule="action_due", unit=tree.district, enabled=False)
    assert selectors.due_items(officer_a, tree.unit_a, today).overdue == []


def test_items_for_named_people_only_reach_them(tree, officer_a, supervisor, auditor, today):
    """The audit report is the lead auditor's business (and the supervisors'), not every officer's."""
    Audit.objects.create(
        unit=tree.unit_a,
        planned_month=(today - 40 * DAY).replace(day=1),
        state=Audit.State.IN_PROGRESS,
        started_on=today - 40 * DAY,
        lead_auditor=auditor,
    )
    assert "audit_report" not in {
        i.rule_key for i in selectors.due_items(officer_a, tree.unit_a, today).overdue
    }
    assert "audit_report" in {i.rule_key for i in selectors.due_items(auditor, tree.unit_a, today).overdue}


def test_nothing_due(client, english, tree, officer_a):
    _response, page = _officer_page(client, officer_a)
    assert page.ids["due-soon-empty"] == "Nothing falls due in the coming week."
    assert page.ids["due-overdue-empty"] == "Nothing overdue."


# --- Beside the peers ------------------------------------------------------------------------------
@pytest.fixture
def peers(tree, supervisor, superuser, today):
    """Unit A and its peers B, C, D (wards and communes of the district). An agency of the
    district and a commune of the other district have extreme figures: were they counted, the
    medians would move."""
    a, b = tree.unit_a, tree.unit_b
    c = UnitFactory(name="Xã Tiên Sơn", kind=Unit.Kind.COMMUNE, parent=tree.district)
    d = UnitFactory(name="Phường Nếnh", kind=Unit.Kind.WARD, parent=tree.district)
    agency = UnitFactory(name="Văn phòng UBND", kind=Unit.Kind.AGENCY, parent=tree.district)
    outside = tree.other_commune
    for unit in (a, b, c):
        f.qms(supervisor, unit)
    f.qms(supervisor, d, V2008, announced=False)
    # Open nonconformities: A 2; B 1, C 3, D 0 → median 1. The agency and the outsider: 50.
    for unit, n in ((a, 2), (b, 1), (c, 3), (agency, 50), (outside, 50)):
        for _ in range(n):
            f.nonconformity(unit, superuser)
    # Satisfaction: A 10/10; B 4/5, C 3/5, D 5/5 → median 80%.
    for unit, satisfied, rated in (
        (a, 10, 10),
        (b, 4, 5),
        (c, 3, 5),
        (d, 5, 5),
        (agency, 0, 10),
        (outside, 0, 9),
    ):
        f.ratings(unit, satisfied, rated)
    # Coverage: B 1/2, C 2/2, D nothing applicable → median of 50% and 100%.
    f.coverage(b, applicable=2, covered=1)
    f.coverage(c, applicable=2, covered=2)
    f.coverage(agency, applicable=4, covered=0)
    # Last internal audit: B 03/2024, C 05/2025, D 07/2025 → 05/2025; agency: long ago.
    for unit, month in ((b, D(2024, 3, 1)), (c, D(2025, 5, 1)), (d, D(2025, 7, 1)), (agency, D(2010, 1, 1))):
        f.audit_held(unit, month)
    # Scores of the district's round: A 60, B 70, C 80, D 90 → peers' median 80; A 4th of 4.
    scoring = f.scoring_round(tree.district, today.year - 1)
    for unit, total in ((a, 60), (b, 70), (c, 80), (d, 90)):
        f.sheet(scoring, unit, total)
    return {"c": c, "d": d, "agency": agency, "round": scoring}


def test_peers_are_the_same_kind_under_the_same_parent(tree, peers):
    found = set(selectors.peers_of(tree.unit_a))
    assert found == {tree.unit_b, peers["c"], peers["d"]}
    assert set(selectors.peers_of(peers["agency"])) == set()


def test_the_units_figures_beside_the_median_of_its_peers(client, english, tree, officer_a, peers):
    _response, page = _officer_page(client, officer_a)
    own = {key: cell.text for key, cell in page.officer.items()}
    assert own["ncs"] == "2"
    assert own["satisfaction"] == "100%"
    assert own["score"] == "60"
    assert own["rank"] == "4/4"
    assert own["audit"] == "—"
    assert page.peers == {
        "status": "2 of 3 announced",
        "version": "2 of 3 on the latest version",
        "audit": "05/2025",
        "review": "—",
        "ncs": "1",
        "actions": "0",
        "overdue": "0",
        "documents": "0",
        "coverage": "75%",
        "satisfaction": "80%",
        "score": "80",
        "rank": "—",
    }
    assert "3 units of the same kind" in page.ids["officer-peers"]


def test_the_officer_sees_no_peer_by_name(client, tree, officer_a, peers):
    response, page = _officer_page(client, officer_a)
    html = response.content.decode()
    for unit in (tree.unit_b, peers["c"], peers["d"], peers["agency"]):
        assert unit.name not in html
    assert page.rows == {}


def test_the_officers_links_open(client, tree, officer_a, peers, today):
    """Every figure links to the officer's own lists (the rank to the sheet: the league table is
    the district's)."""
    _response, page = _officer_page(client, officer_a)
    a = tree.unit_a.pk
    assert page.officer["ncs"].href == f"/actions/?unit={a}&status=open"
    assert page.officer["satisfaction"].href == f"/surveys/?unit={a}&year={today.year}"
    sheet = peers["round"].sheets.get(unit=tree.unit_a)
    assert page.officer["rank"].href == reverse("certification:sheet_detail", args=[sheet.pk])
    for column, cell in page.officer.items():
        if cell.href:
            assert client.get(cell.href).status_code == 200, (column, cell.href)


def test_median_helpers():
    assert selectors._median([1, None, 3, 2]) == 2
    assert selectors._median([None]) is None
    assert selectors._median_day([D(2025, 1, 1), D(2025, 1, 3)]) == D(2025, 1, 2)
    assert selectors._median_day([]) is None


def test_an_archive_does_not_make_the_officer_a_supervisor(client, tree, officer_a, today):
    """A successor's members read the archive of a merged predecessor: still one unit in operation."""
    old = UnitFactory(name="Xã Bích Sơn", parent=tree.district, valid_until=today - 400 * DAY)
    SuccessionFactory(predecessor=old, successor=tree.unit_a, effective_on=today - 400 * DAY)
    _officer_page(client, officer_a)


def test_officer_page_costs_constant_queries(client, tree, officer_a, supervisor, today, constant_queries):
    scoring = f.scoring_round(tree.district, today.year - 1)
    client.force_login(officer_a)

    def add_rows(n):
        # n more peers with every figure, and n more things due for unit A.
        for _ in range(n):
            unit = UnitFactory(parent=tree.district, kind=Unit.Kind.WARD)
            f.qms(supervisor, unit)
            f.audit_held(unit, today)
            f.ratings(unit, 1, 2)
            f.coverage(unit, 2, 1)
            f.sheet(scoring, unit, 50)
            _action(tree.unit_a, supervisor, today - DAY, "Trễ")
            _action(tree.unit_a, supervisor, today + DAY, "Sắp đến hạn")
            f.document(tree.unit_a, today + 2 * DAY)

    response = constant_queries(client, "/", add_rows, few=2, many=10)
    page = f.read(response)
    assert page.ids["due-overdue"].count("Trễ") >= 10
