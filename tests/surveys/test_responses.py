"""surveys.services.responses: a citizen's response is checked, rate-limited in the database
(per client and per unit, per hour) and stored without the client's address; a comment becomes a
nonconformity (source: citizen complaint) once."""

import datetime
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.utils import timezone, translation

from audits.models import Nonconformity
from communes.models import Unit
from documents.models import Procedure
from surveys.models import Response
from surveys.services import responses as services
from tests.documents.factories_catalogue import CatalogueProcedureFactory, applies_to
from tests.factories import SurveyResponseFactory, UnitFactory

ADDRESS = "203.0.113.7"


@pytest.fixture(autouse=True)
def in_english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def submit(unit, *, procedure=None, ratings=None, comment="", contact="", address=ADDRESS, now=None):
    return services.response_submit(
        unit=unit,
        procedure=procedure,
        ratings={"overall": 5} if ratings is None else ratings,
        comment=comment,
        contact=contact,
        client_address=address,
        now=now,
    )


# --- Submitting ------------------------------------------------------------------------------------
def test_a_response_is_saved_with_a_hashed_client_key(tree, settings):
    response = submit(
        tree.unit_a,
        ratings={"overall": 4, "timeliness": "5", "visits": None, "fees": ""},
        comment="  Cán bộ nhiệt tình.  ",
        contact=" 0912 000 111 ",
    )
    response.refresh_from_db()
    assert (response.overall, response.timeliness, response.visits, response.fees) == (4, 5, None, None)
    assert (response.comment, response.contact) == ("Cán bộ nhiệt tình.", "0912 000 111")
    expected = hashlib.sha256(f"{ADDRESS}{settings.SECRET_KEY}".encode()).hexdigest()
    assert response.client_key == expected == services.client_key(ADDRESS)
    assert ADDRESS not in str(Response.objects.filter(pk=response.pk).values().get())


@pytest.mark.parametrize(
    ("ratings", "field"),
    [
        ({}, "overall"),
        ({"overall": None}, "overall"),
        ({"overall": 0}, "overall"),
        ({"overall": 6}, "overall"),
        ({"overall": "five"}, "overall"),
        ({"overall": True}, "overall"),
        ({"overall": 5, "fees": 9}, "fees"),
        ({"overall": 5, "speed": 5}, "__all__"),
    ],
)
def test_bad_ratings_are_refused_and_nothing_saved(tree, ratings, field):
    with pytest.raises(ValidationError) as exc:
        submit(tree.unit_a, ratings=ratings)
    assert field in exc.value.message_dict
    assert not Response.objects.exists()


def test_lengths_are_limited(tree):
    with pytest.raises(ValidationError) as exc:
        submit(tree.unit_a, comment="x" * 2001, contact="y" * 201)
    assert exc.value.message_dict == {
        "comment": ["At most 2000 characters."],
        "contact": ["At most 200 characters."],
    }
    assert submit(tree.unit_a, comment="x" * 2000, contact="y" * 200).pk
    assert Response.objects.count() == 1


def test_only_active_qms_units_take_responses(tree):
    for unit in (tree.district, tree.province):
        with pytest.raises(ValidationError, match="no satisfaction survey"):
            submit(unit)
    gone = UnitFactory(parent=tree.district, valid_until=timezone.localdate() - datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="no satisfaction survey"):
        submit(gone)
    agency = UnitFactory(parent=tree.district, kind=Unit.Kind.AGENCY)
    assert submit(agency).unit == agency
    assert Response.objects.count() == 1


def test_the_procedure_must_be_one_the_unit_handles(tree):
    ward_tthc = CatalogueProcedureFactory(name="Đăng ký khai sinh")
    other = CatalogueProcedureFactory(name="Cấp phép xây dựng")
    abolished = CatalogueProcedureFactory(status=Procedure.Status.ABOLISHED)
    applies_to(ward_tthc, kinds=[Unit.Kind.WARD])
    applies_to(other, kinds=[Unit.Kind.DISTRICT])
    applies_to(abolished, kinds=[Unit.Kind.WARD])
    assert set(services.survey_procedures(tree.unit_a)) == {ward_tthc}
    assert submit(tree.unit_a, procedure=ward_tthc).procedure == ward_tthc
    for refused in (other, abolished):
        with pytest.raises(ValidationError) as exc:
            submit(tree.unit_a, procedure=refused, address="198.51.100.1")
        assert exc.value.message_dict == {"procedure": ["This procedure is not handled by this unit."]}
    # A commune the catalogue says nothing about: any procedure not abolished.
    assert set(services.survey_procedures(tree.other_commune)) == {ward_tthc, other}
    assert submit(tree.other_commune, procedure=other).procedure == other
    assert Response.objects.count() == 2


# --- Rate limits ---------------------------------------------------------------------------------
def test_the_sixth_response_from_one_address_in_an_hour_is_refused(tree, settings):
    settings.SURVEY_LIMIT_PER_ADDRESS = 5
    start = timezone.now() - datetime.timedelta(minutes=50)
    for minute in range(5):
        unit = tree.unit_a if minute % 2 else tree.unit_b  # the limit is per address, whatever the unit
        submit(unit, now=start + datetime.timedelta(minutes=minute * 10))
    with pytest.raises(services.Throttled) as exc:
        submit(tree.unit_a, now=start + datetime.timedelta(minutes=50))
    assert "try again later" in str(exc.value)
    assert Response.objects.count() == 5
    # Another address is not held back; an hour after the first one, the address may again.
    submit(tree.unit_a, address="198.51.100.9", now=start + datetime.timedelta(minutes=50))
    submit(tree.unit_a, now=start + datetime.timedelta(minutes=60, seconds=1))
    assert Response.objects.count() == 7


def test_the_per_unit_limit_caps_a_flood_from_many_addresses(tree, settings):
    settings.SURVEY_LIMIT_PER_UNIT = 3
    now = timezone.now()
    for n in range(3):
        submit(tree.unit_a, address=f"198.51.100.{n}", now=now)
    with pytest.raises(services.Throttled, match="too many answers"):
        submit(tree.unit_a, address="198.51.100.200", now=now)
    assert submit(tree.unit_b, address="198.51.100.200", now=now).unit == tree.unit_b
    assert Response.objects.filter(unit=tree.unit_a).count() == 3


def test_limits_count_the_last_hour_only(tree, settings):
    settings.SURVEY_LIMIT_PER_ADDRESS = 2
    now = timezone.now()
    key = services.client_key(ADDRESS)
    SurveyResponseFactory(unit=tree.unit_a, client_key=key, submitted_at=now - datetime.timedelta(hours=2))
    SurveyResponseFactory(unit=tree.unit_a, client_key=key, submitted_at=now - datetime.timedelta(minutes=61))
    submit(tree.unit_a, now=now)
    submit(tree.unit_a, now=now)
    with pytest.raises(services.Throttled):
        submit(tree.unit_a, now=now)


# --- The client address ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        (0, "1.1.1.1", "10.0.0.5"),  # no proxy trusted: the header is the client's word, ignored
        (1, "1.1.1.1, 203.0.113.9", "203.0.113.9"),  # what our proxy saw, not what the client wrote
        (2, "1.1.1.1, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.5"),  # fewer entries than proxies: not trusted
        (1, "not-an-address", "10.0.0.5"),
        (1, "", "10.0.0.5"),
    ],
)
def test_client_address(settings, trusted, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = trusted
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=forwarded)
    assert services.client_address(request) == expected


def test_settings_defaults():
    from django.conf import settings as django_settings

    from qms.settings import base

    assert (base.SURVEY_LIMIT_PER_ADDRESS, base.SURVEY_LIMIT_PER_UNIT, base.TRUSTED_PROXY_COUNT) == (
        5,
        300,
        0,
    )
    assert django_settings.SURVEY_LIMIT_PER_ADDRESS >= 1


# --- A comment raised as a nonconformity ---------------------------------------------------------
COMPLAINT = "Được hẹn 3 lần vẫn chưa có kết quả khai sinh, mỗi lần yêu cầu thêm giấy tờ khác nhau."


def test_raising_a_comment_makes_one_complaint_nonconformity(tree, officer_a):
    procedure = CatalogueProcedureFactory(code="1.001193", name="Đăng ký khai sinh")
    response = SurveyResponseFactory(
        unit=tree.unit_a, procedure=procedure, overall=1, comment=COMPLAINT, contact="0912 000 111"
    )
    nc = services.response_raise_nonconformity(actor=officer_a, response=response)
    assert (nc.unit, nc.source, nc.raised_by, nc.status) == (
        tree.unit_a,
        Nonconformity.Source.COMPLAINT,
        officer_a,
        Nonconformity.Status.OPEN,
    )
    assert nc.title.startswith("Citizen complaint: Được hẹn 3 lần")
    assert COMPLAINT in nc.description and "1.001193" in nc.description and "0912 000 111" in nc.description
    response.refresh_from_db()
    assert response.nonconformity == nc
    # A second click returns the same nonconformity.
    assert services.response_raise_nonconformity(actor=officer_a, response=response) == nc
    assert Nonconformity.objects.count() == 1


def test_a_long_comment_gives_a_short_title(tree, supervisor):
    response = SurveyResponseFactory(unit=tree.unit_a, overall=2, comment="chậm " * 200)
    nc = services.response_raise_nonconformity(actor=supervisor, response=response)
    assert len(nc.title) <= services.NC_TITLE_MAX and nc.title.endswith("…")


def test_raising_needs_a_comment_and_the_right(tree, officer_b, viewer, officer_a):
    silent = SurveyResponseFactory(unit=tree.unit_a, overall=2)
    with pytest.raises(ValidationError, match="no comment"):
        services.response_raise_nonconformity(actor=officer_a, response=silent)
    response = SurveyResponseFactory(unit=tree.unit_a, overall=1, comment=COMPLAINT)
    for actor in (officer_b, viewer):
        with pytest.raises(PermissionDenied):
            services.response_raise_nonconformity(actor=actor, response=response)
    assert not Nonconformity.objects.exists()
    response.refresh_from_db()
    assert response.nonconformity is None
