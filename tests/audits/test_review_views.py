"""Management-review pages (ISO 9001:2015 §9.3): the list with the units still without a review
this year (Decision 19/2014/QĐ-TTg Art. 4.4.b), the prefilled form, outputs that raise actions."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from audits.models import CorrectiveAction, ManagementReview, Nonconformity, ReviewOutput
from tests.audits.matrix_reviews import make_review
from tests.documents.factories import english  # noqa: F401 -- fixture
from tests.factories import UnitFactory

pytestmark = pytest.mark.usefixtures("english")

LIST = reverse("audits:review_list")
CREATE = reverse("audits:review_create")


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def today():
    return timezone.localdate()


def form_data(**overrides):
    data = {
        "held_on": today().isoformat(),
        "chair": "Nguyễn Văn An, Chủ tịch UBND",
        "attendees": "Ban Chỉ đạo ISO\nCông chức một cửa",
        "input_nonconformities": "2 điểm không phù hợp.",
        "conclusion": "HTQLCL phù hợp.",
    }
    return data | overrides


def open_nc(unit, raised_by, **fields):
    values = {
        "source": Nonconformity.Source.DIRECT,
        "title": "Hồ sơ chưa lưu đúng hạn",
        "description": "Hồ sơ chưa lưu đúng hạn",
        "raised_on": datetime.date(2019, 3, 1),
        "raised_by": raised_by,
    }
    return Nonconformity.objects.create(unit=unit, **(values | fields))


# --- The list --------------------------------------------------------------------------------
def test_list_shows_reviews_in_scope_only(tree, officer_a, supervisor, login):
    make_review(tree.unit_a, officer_a, chair="Chủ tịch Bích Động")
    make_review(tree.unit_b, supervisor, chair="Chủ tịch Ninh Sơn")
    make_review(tree.other_commune, supervisor, chair="Chủ tịch Đức Thắng")

    page = login(officer_a).get(LIST).content.decode()
    assert "Chủ tịch Bích Động" in page
    assert "Ninh Sơn" not in page and "Đức Thắng" not in page

    page = login(supervisor).get(LIST).content.decode()
    assert "Chủ tịch Bích Động" in page and "Chủ tịch Ninh Sơn" in page
    assert "Đức Thắng" not in page


def test_list_names_the_units_without_a_review_this_year(tree, officer_a, supervisor, login):
    make_review(tree.unit_a, officer_a, held_on=today())
    make_review(tree.unit_b, supervisor, held_on=today() - datetime.timedelta(days=400))

    response = login(supervisor).get(LIST)
    assert response.context["missing_count"] == 1
    assert response.context["missing"] == [tree.unit_b]
    assert 'id="units-without-review"' in response.content.decode()

    # The year filter looks at another year; the unit filter narrows to a subtree.
    last_year = (today() - datetime.timedelta(days=400)).year
    response = login(supervisor).get(LIST, {"year": last_year})
    assert tree.unit_b not in response.context["missing"]
    assert [r.unit for r in response.context["table"].data] == [tree.unit_b]
    response = login(supervisor).get(LIST, {"unit": tree.unit_a.pk})
    assert response.context["missing_count"] == 0
    assert [r.unit for r in response.context["table"].data] == [tree.unit_a]


def test_list_keeps_a_constant_number_of_queries(tree, supervisor, officer_a, login, constant_queries):
    def add_rows(n):
        for _ in range(n):
            unit = UnitFactory(parent=tree.district)
            review = make_review(unit, supervisor, held_on=today())
            ReviewOutput.objects.create(review=review, kind="improvement", decision="Cải tiến")

    response = constant_queries(login(supervisor), LIST, add_rows)
    assert response.status_code == 200


# --- Creating a review -------------------------------------------------------------------------
def test_an_officer_gets_the_form_of_her_unit_prefilled(tree, officer_a, supervisor, login):
    nc = open_nc(tree.unit_a, officer_a)
    open_nc(tree.unit_a, officer_a, title="Thứ hai")
    CorrectiveAction.objects.create(
        nonconformity=nc,
        root_cause="Thiếu người",
        action="Phân công lại",
        owner=officer_a,
        due_on=datetime.date(2019, 4, 1),
    )
    response = login(officer_a).get(CREATE)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["input_nonconformities"] == ("2 open nonconformities, 1 corrective actions overdue.")
    assert form.initial["input_previous_actions"] == ("0 of 1 corrective actions verified effective so far.")
    assert form.initial["input_audit_results"] == "No internal audit recorded yet."
    page = response.content.decode()
    assert "2 open nonconformities, 1 corrective actions overdue." in page


def test_a_supervisor_chooses_the_unit_first(tree, supervisor, login):
    client = login(supervisor)
    response = client.get(CREATE)
    assert response.status_code == 200
    assert "form" in response.context and "unit" in response.context["form"].fields
    units = list(response.context["form"].fields["unit"].queryset)
    assert units == [tree.unit_a, tree.unit_b]

    response = client.get(CREATE, {"unit": tree.unit_b.pk})
    assert response.status_code == 200
    assert response.context["unit"] == tree.unit_b
    assert "0 open nonconformities" in response.context["form"].initial["input_nonconformities"]


def test_create_records_the_review(tree, officer_a, login):
    response = login(officer_a).post(f"{CREATE}?unit={tree.unit_a.pk}", form_data())
    review = ManagementReview.objects.get()
    assert response.status_code == 302 and response["Location"] == review.get_absolute_url()
    assert review.unit == tree.unit_a and review.recorded_by == officer_a
    assert review.input_nonconformities == "2 điểm không phù hợp."
    assert review.held_on == today()


def test_a_review_cannot_be_dated_in_the_future(tree, officer_a, login):
    tomorrow = today() + datetime.timedelta(days=1)
    response = login(officer_a).post(CREATE, form_data(held_on=tomorrow.isoformat(), unit=tree.unit_a.pk))
    assert response.status_code == 200
    assert "A review cannot be dated in the future." in response.content.decode()
    assert not ManagementReview.objects.exists()


def test_missing_fields_are_refused(tree, officer_a, login):
    response = login(officer_a).post(CREATE, form_data(chair="", unit=tree.unit_a.pk))
    assert response.status_code == 200
    assert response.context["form"].errors["chair"]
    assert not ManagementReview.objects.exists()


def test_create_answers_404_out_of_scope_and_403_without_the_right(tree, officer_b, viewer, login):
    assert login(officer_b).get(CREATE, {"unit": tree.unit_a.pk}).status_code == 404
    assert login(officer_b).post(CREATE, form_data(unit=tree.unit_a.pk)).status_code == 404
    assert login(viewer).get(CREATE).status_code == 403
    assert login(viewer).post(CREATE, form_data(unit=tree.unit_a.pk)).status_code == 403
    assert not ManagementReview.objects.exists()


# --- Detail, edit, outputs ---------------------------------------------------------------------
@pytest.fixture
def review(tree, officer_a):
    return make_review(tree.unit_a, officer_a, input_audit_results="Đánh giá nội bộ 10/2019")


def test_detail_shows_the_inputs_and_the_edit_links(review, officer_a, viewer, login):
    page = login(officer_a).get(review.get_absolute_url()).content.decode()
    assert "Đánh giá nội bộ 10/2019" in page
    assert 'id="add-output"' in page
    page = login(viewer).get(review.get_absolute_url()).content.decode()
    assert "Đánh giá nội bộ 10/2019" in page
    assert 'id="add-output"' not in page


def test_update_saves_and_checks_rights(review, tree, officer_a, officer_b, viewer, login):
    url = reverse("audits:review_update", args=[review.pk])
    assert login(viewer).post(url, form_data(conclusion="Sửa")).status_code == 403
    assert login(officer_b).get(url).status_code == 404
    response = login(officer_a).post(url, form_data(conclusion="Hệ thống có hiệu lực."))
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.conclusion == "Hệ thống có hiệu lực."

    future = (today() + datetime.timedelta(days=3)).isoformat()
    response = login(officer_a).post(url, form_data(held_on=future))
    assert response.status_code == 200
    review.refresh_from_db()
    assert review.held_on != today() + datetime.timedelta(days=3)


def test_an_output_with_an_action_opens_a_nonconformity(review, officer_a, login):
    url = reverse("audits:review_output_create", args=[review.pk])
    response = login(officer_a).post(
        url, {"kind": "resources", "decision": "Trang bị máy tính cho bộ phận một cửa.", "raise_action": "on"}
    )
    assert response.status_code == 302 and response["Location"] == review.get_absolute_url()
    output = ReviewOutput.objects.get(review=review)
    nc = Nonconformity.objects.get()
    assert output.nonconformity == nc
    assert nc.source == Nonconformity.Source.MANAGEMENT_REVIEW
    assert nc.unit == review.unit and nc.raised_on == review.held_on
    assert nc.title == "Trang bị máy tính cho bộ phận một cửa."
    # The review's page shows the action raised (linked once the actions pages exist).
    page = login(officer_a).get(review.get_absolute_url()).content.decode()
    assert f'id="output-{output.pk}"' in page and "Action raised:" in page


def test_an_output_without_an_action_opens_nothing(review, officer_a, login):
    url = reverse("audits:review_output_create", args=[review.pk])
    response = login(officer_a).post(url, {"kind": "change", "decision": "Cập nhật chính sách chất lượng."})
    assert response.status_code == 302
    assert ReviewOutput.objects.filter(review=review, nonconformity=None).count() == 1
    assert not Nonconformity.objects.exists()
    # Shown on the review's page.
    assert (
        "Cập nhật chính sách chất lượng." in login(officer_a).get(review.get_absolute_url()).content.decode()
    )


def test_an_output_without_a_decision_is_refused(review, officer_a, viewer, login):
    url = reverse("audits:review_output_create", args=[review.pk])
    response = login(officer_a).post(url, {"kind": "change", "decision": "   ", "raise_action": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not ReviewOutput.objects.exists() and not Nonconformity.objects.exists()
    assert login(viewer).post(url, {"kind": "change", "decision": "X"}).status_code == 403
    assert not ReviewOutput.objects.exists()


def test_tabs_link_reviews_and_inspections(review, officer_a, login):
    page = login(officer_a).get(LIST).content.decode()
    assert reverse("audits:inspection_list") in page
    assert 'id="reviews-tabs"' in page
