"""The surveys models: the database refuses what the rules forbid (ratings outside 1..5, a period
that ends before it starts, a month that is not its first day, the same key twice, with or
without a procedure)."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from surveys.models import CRITERIA, CRITERION_LABELS, Reconciliation, RecordCount, Response, Tally
from tests.documents.factories_catalogue import CatalogueProcedureFactory
from tests.factories import RecordCountFactory, SurveyResponseFactory, TallyFactory

D = datetime.date


def refused(factory, **kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**kwargs)


def test_criteria_and_labels():
    assert CRITERIA == ("timeliness", "visits", "attitude", "information", "fees", "overall")
    assert set(CRITERION_LABELS) == set(CRITERIA)
    assert str(CRITERION_LABELS["visits"]) in ("number of visits needed", "số lần đi lại")


@pytest.mark.parametrize("field", CRITERIA)
@pytest.mark.parametrize("value", [0, 6])
def test_ratings_outside_1_to_5_are_refused(tree, field, value):
    refused(SurveyResponseFactory, unit=tree.unit_a, **{field: value})
    assert not Response.objects.exists()


def test_overall_is_required_the_others_are_not(tree):
    refused(SurveyResponseFactory, unit=tree.unit_a, overall=None)
    response = SurveyResponseFactory(unit=tree.unit_a, overall=4)
    assert response.ratings() == {c: (4 if c == "overall" else None) for c in CRITERIA}
    assert "Bích Động" in str(response)


def test_tally_period_and_totals(tree):
    refused(TallyFactory, unit=tree.unit_a, period_start=D(2024, 3, 1), period_end=D(2024, 2, 28))
    tally = TallyFactory(
        unit=tree.unit_a, very_satisfied=5, satisfied=4, neutral=3, dissatisfied=2, very_dissatisfied=1
    )
    assert (tally.total, tally.satisfied_total) == (15, 9)


def test_tally_key_is_unique_with_and_without_procedure(tree):
    procedure = CatalogueProcedureFactory()
    TallyFactory(unit=tree.unit_a)
    refused(TallyFactory, unit=tree.unit_a)  # procedure empty twice
    TallyFactory(unit=tree.unit_a, procedure=procedure)
    refused(TallyFactory, unit=tree.unit_a, procedure=procedure)
    TallyFactory(unit=tree.unit_a, channel=Tally.Channel.DEVICE)  # another channel: fine
    assert Tally.objects.count() == 3


def test_record_count_month_and_key(tree):
    procedure = CatalogueProcedureFactory()
    refused(RecordCountFactory, unit=tree.unit_a, month=D(2024, 1, 15))
    RecordCountFactory(unit=tree.unit_a)
    refused(RecordCountFactory, unit=tree.unit_a)
    RecordCountFactory(unit=tree.unit_a, procedure=procedure)
    refused(RecordCountFactory, unit=tree.unit_a, procedure=procedure)
    RecordCountFactory(unit=tree.unit_a, source=RecordCount.Source.BOOK)
    assert RecordCount.objects.count() == 3
    assert RecordCount.history.count() == 3  # the edited records keep their history


def test_one_reconciliation_per_unit_and_month(tree):
    Reconciliation.objects.create(unit=tree.unit_a, month=D(2024, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Reconciliation.objects.create(unit=tree.unit_a, month=D(2024, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Reconciliation.objects.create(unit=tree.unit_b, month=D(2024, 1, 2))
    assert Reconciliation.objects.get().status == Reconciliation.Status.OPEN


# --- Shared import helpers (surveys.services.imports) ----------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        (None, 0),
        ("12", 12),
        (" 12 ", 12),
        ("12.0", 12),
        (7, 7),
        ("1.234", 1234),
        ("1,234", 1234),
        ("1 234 567", None),  # above the maximum
        ("1.234.567", None),
        ("1.5", None),
        ("-3", None),
        ("12a", None),
        (True, None),
        ("1.23", None),
    ],
)
def test_parse_count(text, expected):
    from surveys.services.imports import parse_count

    assert parse_count(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01", D(2024, 1, 1)),
        ("2024-01-31", D(2024, 1, 1)),
        ("2024-01-31 00:00:00", D(2024, 1, 1)),
        ("01/2024", D(2024, 1, 1)),
        ("1/2024", D(2024, 1, 1)),
        ("31/12/2023", D(2023, 12, 1)),
        ("Tháng 3/2024", D(2024, 3, 1)),
        ("T3/2024", D(2024, 3, 1)),
        ("tháng 03 năm 2024", D(2024, 3, 1)),
        (D(2024, 5, 17), D(2024, 5, 1)),
        ("13/2024", None),
        ("2024", None),
        ("", None),
        ("next month", None),
    ],
)
def test_parse_month(text, expected):
    from surveys.services.imports import parse_month

    assert parse_month(text) == expected


def test_is_future_month():
    from surveys.services.imports import is_future_month

    assert not is_future_month(D(2024, 5, 1), today=D(2024, 5, 2))
    assert is_future_month(D(2024, 6, 1), today=D(2024, 5, 31))


def test_procedures_and_units_from_a_file(tree, django_assert_num_queries):
    from communes.models import Unit
    from surveys.services.imports import procedures_by_code, units_by_code_or_name

    birth = CatalogueProcedureFactory(code="1.001193")
    local = CatalogueProcedureFactory(code="1.012753.H19")
    with django_assert_num_queries(1):
        found = procedures_by_code(["1.001193", " 1.012753.h19", "9.999999", ""])
    assert found == {"1.001193": birth, "1.012753.h19": local}

    Unit.objects.filter(pk=tree.unit_b.pk).update(code="07798")
    twin = Unit.objects.create(name="Xã Bích Động", kind=Unit.Kind.COMMUNE, parent=tree.other_district)
    units = Unit.objects.filter(path__startswith=tree.district.path)
    with django_assert_num_queries(1):
        found = units_by_code_or_name(["phuong bich dong", "07798", "Ninh Sơn", "Đức Thắng", ""], units)
    assert found == {
        "phuong bich dong": [tree.unit_a],
        "07798": [tree.unit_b],
        "Ninh Sơn": [tree.unit_b],
        "Đức Thắng": [],  # outside the units given
    }
    # The same bare name in two units is ambiguous: the caller says so.
    everywhere = Unit.objects.all()
    assert sorted(u.pk for u in units_by_code_or_name(["Bích Động"], everywhere)["Bích Động"]) == sorted(
        [tree.unit_a.pk, twin.pk]
    )
    assert units_by_code_or_name(["Xã Bích Động"], everywhere)["Xã Bích Động"] == [twin]


# --- The admin panel --------------------------------------------------------------------------------
ADMIN_MODELS = ["response", "tally", "recordcount", "reconciliation"]


@pytest.fixture
def admin_records(tree):
    made = {}
    for unit in (tree.unit_a, tree.other_commune):
        made[unit.pk] = {
            "response": SurveyResponseFactory(unit=unit, comment="Tốt", client_key="f" * 64),
            "tally": TallyFactory(unit=unit),
            "recordcount": RecordCountFactory(unit=unit),
            "reconciliation": Reconciliation.objects.create(unit=unit, month=D(2024, 1, 1)),
        }
    return made


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_admin_lists_are_scoped_and_pages_render(client, superuser, committee, tree, admin_records, model):
    from django.contrib.auth.models import Permission
    from django.urls import reverse

    client.force_login(superuser)
    changelist = reverse(f"admin:surveys_{model}_changelist")
    assert len(client.get(changelist).context["cl"].result_list) == 2
    record = admin_records[tree.unit_a.pk][model]
    page = client.get(reverse(f"admin:surveys_{model}_change", args=[record.pk]))
    assert page.status_code == 200
    if model == "response":
        assert "f" * 64 not in page.content.decode()  # the client key is not shown
        assert client.get(reverse("admin:surveys_response_add")).status_code == 403
    else:
        assert client.get(reverse(f"admin:surveys_{model}_history", args=[record.pk])).status_code == 200

    committee.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="surveys", codename__startswith="view_")
    )
    client.force_login(committee)
    listed = client.get(changelist).context["cl"].result_list
    assert [r.pk for r in listed] == [record.pk]  # the other district's row is not listed
    other = admin_records[tree.other_commune.pk][model]
    assert client.get(reverse(f"admin:surveys_{model}_change", args=[other.pk])).status_code == 302
