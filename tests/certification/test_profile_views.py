"""The QMS profile and decision pages: the list with its headline and filters, the profile
forms, the status explanation, recording decisions (with their files), and who may do what."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certification import services
from certification.models import Decision, QmsProfile
from documents.models import Applicability, Procedure
from tests.certification.factories import (
    V2008,
    V2015,
    D,
    announce,
    english,  # noqa: F401 -- fixture
    make_profile,
    procedures,
    version,
)
from tests.documents.factories import DocProcedureFactory, pdf_bytes
from tests.factories import UnitFactory, WaveFactory

pytestmark = pytest.mark.usefixtures("english", "english_pages")
S = QmsProfile.Status
LIST = reverse("certification:profile_list")
SIGNER = "Nguyễn Văn A, Chủ tịch UBND"


def pdf_upload(name="quyet-dinh-cong-bo.pdf"):
    return SimpleUploadedFile(name, pdf_bytes("Quyet dinh cong bo"), content_type="application/pdf")


def fake_upload(name="quyet-dinh.pdf"):
    # A program renamed .pdf: no PDF header, refused by its content.
    return SimpleUploadedFile(name, b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")


@pytest.fixture
def english_pages(client):
    """Pages in English: the tests read the msgids, whatever the catalogue says."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files go to a temporary folder, to check what was stored."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def stored_files(root):
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def profile(tree, officer_a):
    return make_profile(officer_a, tree.unit_a)


@pytest.fixture
def announced(profile, officer_a, tree):
    announce(officer_a, tree.unit_a)
    profile.refresh_from_db()
    assert profile.status == S.ANNOUNCED
    return profile


def decision_url(unit, kind=None):
    url = reverse("certification:decision_create", args=[unit.pk])
    return f"{url}?kind={kind}" if kind else url


def decision_data(kind="announcement", number="15/QĐ-UBND", signed_on="2018-12-20", **extra):
    return {"kind": kind, "number": number, "signed_on": signed_on, "signer": SIGNER, **extra}


def profile_data(**extra):
    data = {"standard_version": version(V2015).pk, "scope_statement": "Giải quyết TTHC tại một cửa."}
    return data | extra


def row_units(response):
    return [row.record for row in response.context["table"].page.object_list]


# --- The list ------------------------------------------------------------------------------
def test_list_one_row_per_unit_in_scope(announced, tree, supervisor, login):
    response = login(supervisor).get(LIST)
    assert response.status_code == 200
    assert row_units(response) == [tree.unit_a, tree.unit_b]
    html = response.content.decode()
    assert "no profile yet" in html  # unit B
    assert "15/QĐ-UBND" in html and "20/12/2018" in html  # unit A's current announcement
    assert 'id="announced-count">1/2<' in html
    headline = response.context["headline"]
    assert (headline.announced, headline.total, headline.without_profile) == (1, 2, 1)
    assert tree.other_commune.name not in html


def test_list_officer_sees_own_unit_and_set_up_link(tree, officer_b, login):
    response = login(officer_b).get(LIST)
    assert row_units(response) == [tree.unit_b]
    assert reverse("certification:profile_create", args=[tree.unit_b.pk]) in response.content.decode()


def test_list_viewer_has_no_set_up_link(tree, viewer, login):
    response = login(viewer).get(LIST)
    assert row_units(response) == [tree.unit_a, tree.unit_b]
    assert "/profile/new/" not in response.content.decode()


def test_list_shows_current_recognition(announced, tree, supervisor, login):
    services.decision_record(
        actor=supervisor, unit=tree.unit_a, kind="recognition", number="12/QĐ-UBND",
        signed_on=D(2019, 1, 15), signer="Chủ tịch UBND huyện",
    )  # fmt: skip
    html = login(supervisor).get(LIST).content.decode()
    assert "12/QĐ-UBND" in html and "15/01/2019" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=none", ["unit_b"]),
        ("status=announced", ["unit_a"]),
        ("status=building", []),
        ("q=bich+dong", ["unit_a"]),
        ("q=NINH+SƠN", ["unit_b"]),
        ("q=phuong", ["unit_a", "unit_b"]),
    ],
)
def test_list_filters(announced, tree, supervisor, login, query, expected):
    response = login(supervisor).get(f"{LIST}?{query}")
    assert row_units(response) == [getattr(tree, name) for name in expected]


def test_list_filter_by_version_and_wave(announced, tree, supervisor, login):
    later = WaveFactory(name="Mở rộng 2018", year=2018)
    unit_c = UnitFactory(name="Xã Tăng Tiến", parent=tree.district, wave=later)
    make_profile(supervisor, unit_c, code=V2008, tthc=("1.000777",))
    client = login(supervisor)
    by_version = client.get(f"{LIST}?version={version(V2008).pk}")
    assert row_units(by_version) == [unit_c]
    by_wave = client.get(f"{LIST}?wave={later.pk}")
    assert row_units(by_wave) == [unit_c]
    # The headline counts the wave's units, whatever the status filter says.
    assert (by_wave.context["headline"].total, by_wave.context["headline"].announced) == (1, 0)
    within = client.get(f"{LIST}?within={tree.district.pk}&status=announced")
    assert row_units(within) == [tree.unit_a]
    assert within.context["headline"].total == 3


def test_list_leaves_out_units_that_no_longer_exist(tree, supervisor, login):
    gone = UnitFactory(name="Xã Cũ", parent=tree.district, valid_until=D(2019, 12, 31))
    assert gone not in row_units(login(supervisor).get(LIST))


def test_list_anonymous_goes_to_login(client):
    response = client.get(LIST)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_list_constant_queries(tree, supervisor, login, constant_queries):
    counter = iter(range(1000))

    def add_rows(n):
        for _ in range(n):
            i = next(counter)
            unit = UnitFactory(parent=tree.district)
            if i % 3 == 2:
                continue  # some units have no profile
            make_profile(supervisor, unit, tthc=(f"1.8{i:05d}",))
            announce(supervisor, unit, number=f"{i}/QĐ")
            if i % 2:
                services.decision_record(
                    actor=supervisor, unit=unit, kind="recognition", number=f"R{i}",
                    signed_on=D(2019, 1, 10), signer="X",
                )  # fmt: skip

    constant_queries(login(supervisor), LIST, add_rows, few=2, many=20)


# --- Profile forms -------------------------------------------------------------------------
def test_profile_create(tree, officer_b, login):
    tthc = procedures("1.001193", "1.000894")
    url = reverse("certification:profile_create", args=[tree.unit_b.pk])
    data = profile_data(procedures=[p.pk for p in tthc], effective_confirmed_on="2018-11-01")
    response = login(officer_b).post(url, data)
    profile = QmsProfile.objects.get(unit=tree.unit_b)
    assert response.status_code == 302 and response["Location"] == profile.get_absolute_url()
    assert profile.status == S.APPLYING
    assert services.procedure_codes(profile.procedures.all()) == ["1.000894", "1.001193"]


def test_profile_create_ticks_applicable_tthc_and_hides_abolished(tree, officer_b, login):
    applicable = DocProcedureFactory(code="1.000111", name="Đăng ký kết hôn")
    Applicability.objects.create(procedure=applicable, unit_kind="ward")
    other = DocProcedureFactory(code="1.000222", name="Chứng thực bản sao")
    abolished = DocProcedureFactory(code="1.000333", status=Procedure.Status.ABOLISHED)
    response = login(officer_b).get(reverse("certification:profile_create", args=[tree.unit_b.pk]))
    form = response.context["form"]
    offered = set(form.fields["procedures"].queryset)
    assert {applicable, other} <= offered and abolished not in offered
    assert form.initial["procedures"] == [applicable.pk]
    assert 'id="procedure-search"' in response.content.decode()


def test_profile_create_bad_input_saves_nothing(tree, officer_b, login):
    abolished = DocProcedureFactory(code="1.000333", status=Procedure.Status.ABOLISHED)
    url = reverse("certification:profile_create", args=[tree.unit_b.pk])
    client = login(officer_b)
    response = client.post(url, profile_data(effective_confirmed_on="2999-01-01"))
    assert response.status_code == 200
    assert "cannot be confirmed effective in the future" in str(response.context["form"].errors)
    response = client.post(url, profile_data(procedures=[abolished.pk]))
    assert "procedures" in response.context["form"].errors
    response = client.post(url, {"scope_statement": "x"})
    assert "standard_version" in response.context["form"].errors
    assert not QmsProfile.objects.filter(unit=tree.unit_b).exists()


def test_profile_create_when_one_exists_goes_to_it(profile, tree, officer_a, login):
    response = login(officer_a).get(reverse("certification:profile_create", args=[tree.unit_a.pk]))
    assert response.status_code == 302 and response["Location"] == profile.get_absolute_url()


@pytest.mark.parametrize(("actor", "code"), [("officer_a", 404), ("viewer", 403), ("committee", 403)])
def test_profile_create_permissions(tree, actors, login, actor, code):
    url = reverse("certification:profile_create", args=[tree.unit_b.pk])
    assert login(actors[actor]).post(url, profile_data()).status_code == code
    assert not QmsProfile.objects.filter(unit=tree.unit_b).exists()


def test_profile_create_refuses_a_supervising_unit(tree, supervisor, login):
    url = reverse("certification:profile_create", args=[tree.district.pk])
    assert login(supervisor).get(url).status_code == 404


def test_update_form_warns_when_announced(announced, profile, officer_a, login):
    url = reverse("certification:profile_update", args=[profile.pk])
    assert 'id="reannouncement-warning"' in login(officer_a).get(url).content.decode()


def test_update_form_no_warning_before_announcement(profile, officer_a, login):
    url = reverse("certification:profile_update", args=[profile.pk])
    assert "reannouncement-warning" not in login(officer_a).get(url).content.decode()


def _current_form_data(profile, **changes):
    data = profile_data(
        standard_version=profile.standard_version_id,
        scope_statement=profile.scope_statement,
        procedures=[p.pk for p in profile.procedures.all()],
        steering_members=profile.steering_members,
    )
    return data | changes


def test_update_scope_needs_reannouncement(announced, officer_a, login):
    client = login(officer_a)
    url = reverse("certification:profile_update", args=[announced.pk])
    response = client.post(url, _current_form_data(announced, scope_statement="Phạm vi mới."), follow=True)
    announced.refresh_from_db()
    assert announced.status == S.NEEDS_REANNOUNCEMENT
    html = response.content.decode()
    assert "needs a re-announcement" in html  # the warning message
    assert "the scope statement has changed since the decision" in html  # the explanation


def test_update_details_keep_announced(announced, officer_a, login):
    url = reverse("certification:profile_update", args=[announced.pk])
    data = _current_form_data(announced, steering_members="Nguyễn Văn A, Chủ tịch, Trưởng ban")
    assert login(officer_a).post(url, data).status_code == 302
    announced.refresh_from_db()
    assert announced.status == S.ANNOUNCED
    assert announced.steering_members.startswith("Nguyễn Văn A")


def test_detail_explains_added_tthc_and_version(announced, officer_a, login):
    new = DocProcedureFactory(code="1.004444")
    services.profile_update(
        actor=officer_a,
        profile=announced,
        standard_version=version(V2008),
        procedures=[*announced.procedures.all(), new],
    )
    html = login(officer_a).get(announced.get_absolute_url()).content.decode()
    assert "TTHC added since the decision: 1.004444" in html
    assert (
        "the standard version: TCVN ISO 9001:2015 in the decision, TCVN ISO 9001:2008 in the profile" in html
    )


@pytest.mark.parametrize(("actor", "code"), [("officer_b", 404), ("viewer", 403), ("committee", 403)])
def test_profile_update_permissions(announced, actors, login, actor, code):
    url = reverse("certification:profile_update", args=[announced.pk])
    response = login(actors[actor]).post(url, _current_form_data(announced, scope_statement="Khác."))
    assert response.status_code == code
    announced.refresh_from_db()
    assert announced.status == S.ANNOUNCED


# --- The profile page ----------------------------------------------------------------------
def _record_kinds(response):
    return [kind for kind, _label in response.context["record_kinds"]]


def test_detail_officer(announced, tree, officer_a, login):
    response = login(officer_a).get(announced.get_absolute_url())
    html = response.content.decode()
    assert _record_kinds(response) == ["announcement", "reannouncement"]
    assert reverse("certification:profile_update", args=[announced.pk]) in html
    assert reverse("communes:unit_detail", args=[tree.unit_a.pk]) in html
    assert "1.001193" in html and "15/QĐ-UBND" in html
    assert "Announced: the current announcement 15/QĐ-UBND of 20/12/2018 covers" in html


def test_detail_supervisor_may_record_every_kind(announced, supervisor, login):
    response = login(supervisor).get(announced.get_absolute_url())
    assert _record_kinds(response) == ["announcement", "recognition", "reannouncement", "revocation"]


@pytest.mark.parametrize("actor", ["viewer", "committee", "auditor"])
def test_detail_read_only(announced, actors, login, actor):
    response = login(actors[actor]).get(announced.get_absolute_url())
    assert response.status_code == 200
    assert _record_kinds(response) == [] and not response.context["can_change"]
    assert "/edit/" not in response.content.decode()


def test_detail_history_shows_superseded(announced, tree, officer_a, supervisor, login):
    services.decision_record(
        actor=supervisor, unit=tree.unit_a, kind="revocation", number="3/QĐ-UBND",
        signed_on=D(2019, 5, 1), signer="Chủ tịch UBND huyện",
    )  # fmt: skip
    response = login(officer_a).get(announced.get_absolute_url())
    html = response.content.decode()
    assert "superseded by 3/QĐ-UBND" in html
    assert "Lapsed: the announcement was revoked by decision 3/QĐ-UBND of 01/05/2019" in html
    assert [d.number for d in response.context["decisions"]] == ["3/QĐ-UBND", "15/QĐ-UBND"]


def test_detail_building_and_applying(profile, officer_a, login):
    client = login(officer_a)
    assert "Building:" in client.get(profile.get_absolute_url()).content.decode()
    services.profile_update(actor=officer_a, profile=profile, effective_confirmed_on=D(2018, 11, 1))
    assert (
        "confirmed the system effective on 01/11/2018"
        in client.get(profile.get_absolute_url()).content.decode()
    )


def test_detail_other_unit_officer_404(profile, officer_b, login):
    assert login(officer_b).get(profile.get_absolute_url()).status_code == 404


# --- Recording decisions -------------------------------------------------------------------
def test_officer_announces_with_file(profile, tree, officer_a, login):
    client = login(officer_a)
    response = client.post(decision_url(tree.unit_a), decision_data(file=pdf_upload()))
    assert response.status_code == 302 and response["Location"] == profile.get_absolute_url()
    decision = Decision.objects.get(unit=tree.unit_a)
    assert (decision.kind, decision.number, decision.signed_on) == (
        "announcement",
        "15/QĐ-UBND",
        D(2018, 12, 20),
    )
    assert (decision.file_type, decision.file_name) == ("pdf", "quyet-dinh-cong-bo.pdf")
    assert decision.procedures_snapshot == ["1.000894", "1.001193"]
    profile.refresh_from_db()
    assert profile.status == S.ANNOUNCED
    download = client.get(reverse("certification:decision_file", args=[decision.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf_bytes("Quyet dinh cong bo")
    assert download["Content-Type"] == "application/pdf"
    assert "quyet-dinh-cong-bo.pdf" in download["Content-Disposition"]
    assert download["Cache-Control"] == "private, no-store"


def test_fake_file_is_refused_and_nothing_saved(profile, tree, officer_a, login, media):
    response = login(officer_a).post(decision_url(tree.unit_a), decision_data(file=fake_upload()))
    assert response.status_code == 200
    assert "is not a PDF, Word, Excel or ODT file" in str(response.context["form"].errors["file"])
    assert not Decision.objects.exists() and stored_files(media) == []
    profile.refresh_from_db()
    assert profile.status == S.BUILDING


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (decision_data(reason="scope_change"), "reason", "Only a re-announcement has a reason."),
        (decision_data(kind="reannouncement"), "reason", "Give the reason of the re-announcement."),
        (decision_data(signed_on="2999-01-01"), "signed_on", "cannot be signed in the future"),
        (decision_data(signed_on=""), "signed_on", "required"),
        (decision_data(number=""), "number", "required"),
        (decision_data(kind="promotion"), "kind", "valid choice"),
    ],
)
def test_decision_bad_input(profile, tree, officer_a, login, data, field, message):
    response = login(officer_a).post(decision_url(tree.unit_a), data)
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert not Decision.objects.exists()


def test_decision_number_unique_per_unit(announced, tree, officer_a, login):
    response = login(officer_a).post(decision_url(tree.unit_a), decision_data(signed_on="2019-01-01"))
    assert "already has a decision with this number" in str(response.context["form"].errors["number"])
    assert Decision.objects.count() == 1


def test_decision_signed_before_the_one_it_replaces(announced, tree, officer_a, login):
    data = decision_data(kind="reannouncement", reason="merger", number="2/QĐ", signed_on="2018-01-01")
    response = login(officer_a).post(decision_url(tree.unit_a), data)
    assert "before the decision it replaces" in str(response.context["form"].errors["signed_on"])
    assert Decision.objects.count() == 1


def test_reannouncement_after_scope_change(announced, tree, officer_a, login):
    services.profile_update(actor=officer_a, profile=announced, scope_statement="Phạm vi mới.")
    data = decision_data(kind="reannouncement", reason="scope_change", number="40/QĐ", signed_on="2019-03-01")
    assert login(officer_a).post(decision_url(tree.unit_a), data).status_code == 302
    announced.refresh_from_db()
    assert announced.status == S.ANNOUNCED
    assert Decision.objects.get(number="40/QĐ").reason == "scope_change"


def test_officer_cannot_record_a_recognition(announced, tree, officer_a, login):
    client = login(officer_a)
    assert client.get(decision_url(tree.unit_a, "recognition")).status_code == 403
    data = decision_data(kind="recognition", number="12/QĐ", signed_on="2019-01-15")
    assert client.post(decision_url(tree.unit_a), data).status_code == 403
    assert not Decision.objects.filter(kind="recognition").exists()


def test_form_offers_only_allowed_kinds(announced, tree, officer_a, supervisor, login):
    officer_form = login(officer_a).get(decision_url(tree.unit_a)).context["form"]
    assert [v for v, _l in officer_form.fields["kind"].choices] == ["announcement", "reannouncement"]
    response = login(supervisor).get(decision_url(tree.unit_a, "recognition"))
    assert response.context["form"]["kind"].value() == "recognition"


def test_supervisor_records_a_recognition(announced, tree, supervisor, login):
    data = decision_data(kind="recognition", number="12/QĐ-UBND", signed_on="2019-01-15")
    assert login(supervisor).post(decision_url(tree.unit_a), data).status_code == 302
    recognition = Decision.objects.get(kind="recognition")
    assert recognition.is_current and not recognition.file
    announced.refresh_from_db()
    assert announced.status == S.ANNOUNCED


def test_decision_without_profile_goes_to_set_up(tree, officer_b, login):
    response = login(officer_b).get(decision_url(tree.unit_b))
    assert response.status_code == 302
    assert response["Location"] == reverse("certification:profile_create", args=[tree.unit_b.pk])


@pytest.mark.parametrize(("actor", "code"), [("officer_b", 404), ("viewer", 403), ("committee", 403)])
def test_decision_create_permissions(profile, tree, actors, login, actor, code):
    assert login(actors[actor]).post(decision_url(tree.unit_a), decision_data()).status_code == code
    assert not Decision.objects.exists()


def test_decision_create_anonymous(profile, tree, client):
    response = client.get(decision_url(tree.unit_a))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- Decision page, file, attach -----------------------------------------------------------
def test_decision_detail(announced, tree, officer_a, login):
    decision = Decision.objects.get()
    response = login(officer_a).get(decision.get_absolute_url())
    html = response.content.decode()
    assert "15/QĐ-UBND" in html and "20/12/2018" in html and SIGNER in html
    assert "1.000894, 1.001193" in html
    assert reverse("certification:decision_attach", args=[decision.pk]) in html
    assert response.context["profile"] == announced


def test_decision_file_404_without_file(announced, officer_a, login):
    decision = Decision.objects.get()
    assert login(officer_a).get(reverse("certification:decision_file", args=[decision.pk])).status_code == 404


def test_decision_file_other_unit_404(tree, officer_a, officer_b, login):
    make_profile(officer_a, tree.unit_a)
    decision = announce(officer_a, tree.unit_a, file=pdf_upload())
    assert login(officer_b).get(reverse("certification:decision_file", args=[decision.pk])).status_code == 404


def test_attach_file(announced, officer_a, login):
    decision = Decision.objects.get()
    client = login(officer_a)
    url = reverse("certification:decision_attach", args=[decision.pk])
    assert client.post(url, {"file": pdf_upload("cong-bo.pdf")}).status_code == 302
    decision.refresh_from_db()
    assert (decision.file_type, decision.file_name) == ("pdf", "cong-bo.pdf")
    # A record is never replaced.
    response = client.post(url, {"file": pdf_upload("khac.pdf")}, follow=True)
    assert "never replaced" in response.content.decode()
    decision.refresh_from_db()
    assert decision.file_name == "cong-bo.pdf"


def test_attach_refuses_a_fake_file(announced, officer_a, login, media):
    decision = Decision.objects.get()
    response = login(officer_a).post(
        reverse("certification:decision_attach", args=[decision.pk]), {"file": fake_upload()}
    )
    assert response.status_code == 200
    assert "is not a PDF, Word, Excel or ODT file" in str(response.context["form"].errors["file"])
    decision.refresh_from_db()
    assert not decision.file and stored_files(media) == []


def test_officer_cannot_attach_to_a_recognition(announced, tree, officer_a, supervisor, login):
    recognition = services.decision_record(
        actor=supervisor, unit=tree.unit_a, kind="recognition", number="12/QĐ",
        signed_on=D(2019, 1, 15), signer="X",
    )  # fmt: skip
    url = reverse("certification:decision_attach", args=[recognition.pk])
    assert login(officer_a).post(url, {"file": pdf_upload()}).status_code == 403
    recognition.refresh_from_db()
    assert not recognition.file
