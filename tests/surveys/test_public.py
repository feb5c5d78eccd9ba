"""The public survey page: no login, refuses bad input (with errors, nothing saved), traps robots,
holds the rate limits, keeps CSRF, and searches the procedures ignoring diacritics."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from documents.models import Applicability, Procedure
from surveys.models import Response
from tests.documents.factories import DocProcedureFactory
from tests.factories import UnitFactory

ALL_RATINGS = {
    "timeliness": "5",
    "visits": "4",
    "attitude": "5",
    "information": "3",
    "fees": "4",
    "overall": "5",
}


@pytest.fixture
def procedures(tree):
    """Two procedures of wards, one of communes only (not offered in a ward), one abolished."""
    birth = DocProcedureFactory(code="1.001193", name="Đăng ký khai sinh")
    copy = DocProcedureFactory(code="2.000815", name="Chứng thực bản sao từ bản chính", field="Chứng thực")
    forest = DocProcedureFactory(code="1.003000", name="Giao đất rừng cho hộ gia đình", field="Lâm nghiệp")
    gone = DocProcedureFactory(
        code="1.000999", name="Đăng ký khai sinh lưu động", status=Procedure.Status.ABOLISHED
    )
    for procedure in (birth, copy, gone):
        Applicability.objects.create(procedure=procedure, unit_kind="ward")
    Applicability.objects.create(procedure=forest, unit_kind="commune")
    return {"birth": birth, "copy": copy, "forest": forest, "gone": gone}


def form_url(unit):
    return reverse("survey:form", args=[unit.pk])


def post(client, unit, data, address="203.0.113.7"):
    return client.post(form_url(unit), data, REMOTE_ADDR=address)


def option_values(html):
    return set(re.findall(r'<option value="(\d+)"', html))


# --- The page -------------------------------------------------------------------------------
def test_form_is_public_and_in_vietnamese(tree, client, procedures):
    response = client.get(form_url(tree.unit_a))
    assert response.status_code == 200
    html = response.content.decode()
    assert response["Content-Language"] == "vi"
    assert "Phường Bích Động" in html
    assert 'name="csrfmiddlewaretoken"' in html
    for criterion in ALL_RATINGS:
        for value in "12345":
            assert f'name="{criterion}" value="{value}"' in html, (criterion, value)
    assert 'name="website"' in html  # the trap, out of sight
    assert option_values(html) == {str(procedures["birth"].pk), str(procedures["copy"].pk)}
    assert 'id="nav-items"' not in html and "/accounts/login/" not in html


def test_logged_in_staff_get_the_same_public_page(tree, officer_a, login):
    response = login(officer_a).get(form_url(tree.unit_a))
    assert response.status_code == 200 and 'id="nav-items"' not in response.content.decode()


@pytest.mark.parametrize("which", ["missing", "district", "closed"])
def test_only_active_qms_units_have_a_survey(tree, client, which):
    if which == "missing":
        pk = tree.other_commune.pk + 1000
    elif which == "district":
        pk = tree.district.pk
    else:
        closed = UnitFactory(
            name="Xã Đã Sáp Nhập", parent=tree.district, valid_until=timezone.localdate().replace(year=2020)
        )
        pk = closed.pk
    for name in ("survey:form", "survey:thanks", "survey:procedures"):
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
    assert client.post(reverse("survey:form", args=[pk]), {"overall": "5"}).status_code == 404
    assert not Response.objects.exists()


# --- A unit that merged --------------------------------------------------------------------
@pytest.fixture
def merged(tree):
    """Bích Động and Ninh Sơn merged into a new ward on 1 July 2025."""
    import datetime

    from tests.factories import SuccessionFactory

    ward = UnitFactory(name="Phường Việt Yên", kind="ward", parent=tree.province)
    for old in (tree.unit_a, tree.unit_b):
        SuccessionFactory(predecessor=old, successor=ward, effective_on=datetime.date(2025, 7, 1))
        old.valid_until = datetime.date(2025, 6, 30)
        old.save()
    return ward


def test_the_old_poster_leads_to_the_successors_survey(tree, client, procedures, merged):
    response = client.get(form_url(tree.unit_a))
    assert response.status_code == 302
    assert response["Location"] == f"{form_url(merged)}?from={tree.unit_a.pk}"
    html = client.get(response["Location"]).content.decode()
    assert 'id="survey-merged"' in html
    assert "Phường Bích Động đã sáp nhập vào Phường Việt Yên" in html
    # The rating goes to the ward in operation; the old ward takes none.
    assert post(client, merged, {**ALL_RATINGS, "procedure": procedures["birth"].pk}).status_code == 302
    assert list(Response.objects.values_list("unit", flat=True)) == [merged.pk]
    # Posting to the old address is refused: the form always posts to the successor's.
    assert post(client, tree.unit_a, {**ALL_RATINGS, "procedure": procedures["birth"].pk}).status_code == 404
    assert Response.objects.count() == 1


def test_no_note_for_a_unit_that_did_not_merge_into_it(tree, client, procedures, merged):
    for bogus in (tree.other_commune.pk, "x", ""):
        html = client.get(f"{form_url(merged)}?from={bogus}").content.decode()
        assert 'id="survey-merged"' not in html


def test_a_split_unit_has_no_survey(tree, client, merged):
    """A split commune has several successors: the citizen cannot be sent to one of them."""
    import datetime

    from tests.factories import SuccessionFactory

    other = UnitFactory(name="Phường Nếnh", kind="ward", parent=tree.province)
    SuccessionFactory(predecessor=tree.unit_a, successor=other, effective_on=datetime.date(2025, 7, 1))
    assert client.get(form_url(tree.unit_a)).status_code == 404


# --- Submitting -----------------------------------------------------------------------------
def test_a_rating_is_saved_and_thanked(tree, client, procedures):
    data = {
        **ALL_RATINGS,
        "procedure": procedures["birth"].pk,
        "comment": " Nhanh, chu đáo. ",
        "contact": "0912 345 678",
    }
    response = post(client, tree.unit_a, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("survey:thanks", args=[tree.unit_a.pk])
    saved = Response.objects.get()
    assert saved.unit == tree.unit_a and saved.procedure == procedures["birth"]
    assert (saved.timeliness, saved.visits, saved.attitude, saved.information, saved.fees, saved.overall) == (
        5,
        4,
        5,
        3,
        4,
        5,
    )
    assert saved.comment.strip() == "Nhanh, chu đáo." and saved.contact == "0912 345 678"
    # The address is never kept, only a keyed hash of it.
    assert len(saved.client_key) == 64 and "203.0.113.7" not in saved.client_key
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200 and 'id="survey-thanks"' in thanks.content.decode()


def test_only_overall_is_required(tree, client):
    assert post(client, tree.unit_a, {"overall": "3"}).status_code == 302
    saved = Response.objects.get()
    assert saved.overall == 3 and saved.procedure is None and saved.timeliness is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"timeliness": "5"}, "overall"),  # overall missing
        ({"overall": "6"}, "overall"),
        ({"overall": "0"}, "overall"),
        ({"overall": "abc"}, "overall"),
        ({"overall": "5", "fees": "9"}, "fees"),
        ({"overall": "5", "comment": "x" * 2001}, "comment"),
        ({"overall": "5", "contact": "0" * 201}, "contact"),
        ({"overall": "5", "procedure": "999999"}, "procedure"),
    ],
    ids=[
        "no-overall",
        "overall-6",
        "overall-0",
        "overall-text",
        "fees-9",
        "long-comment",
        "long-contact",
        "bad-procedure",
    ],
)
def test_bad_input_is_refused_with_errors_and_nothing_saved(tree, client, data, field):
    response = post(client, tree.unit_a, data)
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert 'id="survey-errors"' in response.content.decode()
    assert not Response.objects.exists()


def test_a_procedure_the_unit_does_not_handle_is_refused(tree, client, procedures):
    for name in ("forest", "gone"):
        response = post(client, tree.unit_a, {"overall": "5", "procedure": procedures[name].pk})
        assert response.status_code == 200, name
        assert "procedure" in response.context["form"].errors
    assert not Response.objects.exists()


def test_a_filled_trap_pretends_success_and_saves_nothing(tree, client):
    response = post(client, tree.unit_a, {**ALL_RATINGS, "website": "http://spam.example"})
    assert response.status_code == 302
    assert response["Location"] == reverse("survey:thanks", args=[tree.unit_a.pk])
    assert not Response.objects.exists()


# --- Abuse ----------------------------------------------------------------------------------
def test_sixth_rating_from_one_address_in_an_hour_is_refused(tree, client, settings):
    settings.SURVEY_LIMIT_PER_ADDRESS = 5
    for n in range(5):
        assert post(client, tree.unit_a, {"overall": "4"}).status_code == 302, n
    response = post(client, tree.unit_a, {"overall": "1", "comment": "lần thứ sáu"})
    assert response.status_code == 429
    assert 'id="survey-throttled"' in response.content.decode()
    assert Response.objects.count() == 5
    assert not Response.objects.filter(comment="lần thứ sáu").exists()
    # Another address is still served.
    assert post(client, tree.unit_a, {"overall": "4"}, address="198.51.100.9").status_code == 302
    assert Response.objects.count() == 6


def test_a_flood_on_one_unit_from_many_addresses_is_capped(tree, client, settings):
    settings.SURVEY_LIMIT_PER_UNIT = 3
    for n in range(3):
        assert post(client, tree.unit_a, {"overall": "5"}, address=f"198.51.100.{n}").status_code == 302
    assert post(client, tree.unit_a, {"overall": "5"}, address="198.51.100.50").status_code == 429
    assert Response.objects.filter(unit=tree.unit_a).count() == 3
    # The other unit's survey is not blocked by this flood.
    assert post(client, tree.unit_b, {"overall": "5"}, address="198.51.100.51").status_code == 302


def test_csrf_is_enforced(tree):
    client = Client(enforce_csrf_checks=True)
    refused = client.post(form_url(tree.unit_a), {"overall": "5"}, REMOTE_ADDR="203.0.113.8")
    assert refused.status_code == 403
    assert not Response.objects.exists()
    client.get(form_url(tree.unit_a))
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        form_url(tree.unit_a), {"overall": "5", "csrfmiddlewaretoken": token}, REMOTE_ADDR="203.0.113.8"
    )
    assert accepted.status_code == 302
    assert Response.objects.count() == 1


# --- The procedure search -------------------------------------------------------------------
def test_search_ignores_diacritics(tree, client, procedures):
    url = reverse("survey:procedures", args=[tree.unit_a.pk])
    found = client.get(url, {"q": "khai sinh"}, HTTP_HX_REQUEST="true")
    assert found.status_code == 200
    html = found.content.decode()
    assert option_values(html) == {str(procedures["birth"].pk)}  # not the abolished one
    assert (
        "selected" in html.split(f'value="{procedures["birth"].pk}"')[1].split(">")[0]
    )  # the only one: picked
    assert option_values(client.get(url, {"q": "CHUNG THUC"}).content.decode()) == {
        str(procedures["copy"].pk)
    }
    assert option_values(client.get(url, {"q": "đăng ký"}).content.decode()) == {str(procedures["birth"].pk)}
    assert option_values(client.get(url, {"q": ""}).content.decode()) == {
        str(procedures["birth"].pk),
        str(procedures["copy"].pk),
    }
    nothing = client.get(url, {"q": "giao dat rung"}).content.decode()
    assert option_values(nothing) == set()


def test_search_works_without_javascript(tree, client, procedures):
    response = client.get(form_url(tree.unit_a), {"q": "chung thuc"})
    html = response.content.decode()
    assert option_values(html) == {str(procedures["copy"].pk)}
    assert response.context["form"]["procedure"].value() == procedures["copy"].pk
    assert 'value="chung thuc"' in html


def test_every_active_procedure_is_offered_when_the_unit_kind_has_no_applicability(tree, client):
    agency = UnitFactory(name="Văn phòng HĐND và UBND", kind="agency", parent=tree.district)
    one = DocProcedureFactory(code="1.000001", name="Cấp bản sao trích lục")
    DocProcedureFactory(code="1.000002", name="Thủ tục đã bãi bỏ", status=Procedure.Status.ABOLISHED)
    html = client.get(form_url(agency)).content.decode()
    assert option_values(html) == {str(one.pk)}
