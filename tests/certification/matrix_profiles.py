"""Permission-matrix rows of the QMS profile, decision and version transition pages (see
tests/matrix.py).

Unit A (officer_a's ward) has an announced profile: its announcement (with a file) was replaced
by a re-announcement (no file), then recognised by the supervisor (no file). Unit B has no
profile. The other district's commune has its own profile, out of everyone's scope but the
superuser's. Out of scope → 404; in scope without the right → 403 (announcements need CHANGE,
recognitions MANAGE; transitions MANAGE). Successful POSTs redirect (302).
"""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from certification import services
from certification.services import transitions
from tests.certification.factories import V2008, V2015, announce, make_profile, version
from tests.documents.factories import pdf_bytes
from tests.matrix import Row, everyone

D = datetime.date
DEADLINE = D(2019, 8, 1)


def pdf_upload(name="quyet-dinh.pdf"):
    return SimpleUploadedFile(name, pdf_bytes("Quyet dinh"), content_type="application/pdf")


def setup(tree, actors):
    officer, supervisor, root = actors["officer_a"], actors["supervisor"], actors["superuser"]
    profile = make_profile(officer, tree.unit_a)
    announcement = announce(officer, tree.unit_a, file=pdf_upload())
    reannouncement = services.decision_record(
        actor=officer,
        unit=tree.unit_a,
        kind="reannouncement",
        reason="scope_change",
        number="40/QĐ-UBND",
        signed_on=D(2019, 3, 1),
        signer="Nguyễn Văn A, Chủ tịch UBND",
    )
    recognition = services.decision_record(
        actor=supervisor,
        unit=tree.unit_a,
        kind="recognition",
        number="12/QĐ-UBND",
        signed_on=D(2019, 3, 15),
        signer="Chủ tịch UBND huyện",
    )
    profile_x = make_profile(root, tree.other_commune, tthc=("1.000001",))
    decision_x = announce(root, tree.other_commune, file=pdf_upload())
    transition = transitions.transition_create(
        actor=supervisor, unit=tree.district, target_version=version(V2015), deadline=DEADLINE
    )
    transition_x = transitions.transition_create(
        actor=root, unit=tree.other_district, target_version=version(V2015), deadline=DEADLINE
    )
    return {
        "profile": profile,
        "announcement": announcement,
        "reannouncement": reannouncement,
        "recognition": recognition,
        "profile_x": profile_x,
        "decision_x": decision_x,
        "transition": transition,
        "transition_x": transition_x,
    }


def _today():
    return timezone.localdate().isoformat()


# Unit A: its officer, the district's supervisor and the superuser may write; officer_b is out.
CHANGE = everyone(403, officer_a=200, officer_b=404, supervisor=200, superuser=200)
CHANGE_POST = everyone(403, officer_a=302, officer_b=404, supervisor=302, superuser=302)
MANAGE = everyone(403, officer_b=404, supervisor=200, superuser=200)
# Unit B (officer_b's ward, no profile yet).
CHANGE_B = everyone(403, officer_a=404, officer_b=200, supervisor=200, superuser=200)
CHANGE_B_POST = everyone(403, officer_a=404, officer_b=302, supervisor=302, superuser=302)
# The district's transitions: the officers' scope is their own ward only.
DISTRICT_READ = everyone(200, officer_a=404, officer_b=404)
DISTRICT_MANAGE = everyone(403, officer_a=404, officer_b=404, supervisor=200, superuser=200)
DISTRICT_MANAGE_POST = everyone(403, officer_a=404, officer_b=404, supervisor=302, superuser=302)
OTHER_DISTRICT = everyone(404, superuser=200)


def _profile_data(c):
    return {
        "standard_version": version(V2015).pk,
        "scope_statement": "Giải quyết TTHC tại bộ phận một cửa.",
        "steering_decision_number": "05/QĐ-UBND",
    }


ROWS = [
    Row("certification:profile_list", everyone(200)),
    Row(
        "certification:profile_create",
        CHANGE_B,
        kwargs=lambda c: {"unit_pk": c.unit_b.pk},
        label="profile_create (unit B)",
    ),
    Row(
        "certification:profile_create",
        CHANGE_B_POST,
        kwargs=lambda c: {"unit_pk": c.unit_b.pk},
        method="post",
        data=_profile_data,
        label="profile_create (POST, unit B)",
    ),
    Row(
        "certification:profile_create",
        # Unit A already has its profile: those who may write are sent to it.
        everyone(403, officer_a=302, officer_b=404, supervisor=302, superuser=302),
        kwargs=lambda c: {"unit_pk": c.unit_a.pk},
        label="profile_create (unit A, has one)",
    ),
    Row(
        "certification:profile_create",
        everyone(404, superuser=302),
        kwargs=lambda c: {"unit_pk": c.other_commune.pk},
        label="profile_create (other district)",
    ),
    Row(
        "certification:profile_detail",
        everyone(200, officer_b=404),
        kwargs=lambda c: {"pk": c.profile.pk},
        label="profile_detail (unit A)",
    ),
    Row(
        "certification:profile_detail",
        OTHER_DISTRICT,
        kwargs=lambda c: {"pk": c.profile_x.pk},
        label="profile_detail (other district)",
    ),
    Row("certification:profile_update", CHANGE, kwargs=lambda c: {"pk": c.profile.pk}),
    Row(
        "certification:profile_update",
        CHANGE_POST,
        kwargs=lambda c: {"pk": c.profile.pk},
        method="post",
        data=_profile_data,
        label="profile_update (POST)",
    ),
    Row(
        "certification:profile_update",
        everyone(404, superuser=200),
        kwargs=lambda c: {"pk": c.profile_x.pk},
        label="profile_update (other district)",
    ),
    Row(
        "certification:decision_create",
        CHANGE,
        kwargs=lambda c: {"unit_pk": c.unit_a.pk},
        label="decision_create (unit A)",
    ),
    Row(
        "certification:decision_create",
        CHANGE,
        kwargs=lambda c: {"unit_pk": c.unit_a.pk},
        data={"kind": "announcement"},
        label="decision_create (announcement)",
    ),
    Row(
        "certification:decision_create",
        MANAGE,
        kwargs=lambda c: {"unit_pk": c.unit_a.pk},
        data={"kind": "recognition"},
        label="decision_create (recognition)",
    ),
    Row(
        "certification:decision_create",
        MANAGE,
        kwargs=lambda c: {"unit_pk": c.unit_a.pk},
        data={"kind": "revocation"},
        label="decision_create (revocation)",
    ),
    Row(
        "certification:decision_create",
        CHANGE_POST,
        kwargs=lambda c: {"unit_pk": c.unit_a.pk},
        method="post",
        data=lambda c: {
            "kind": "announcement",
            "number": "99/QĐ-UBND",
            "signed_on": _today(),
            "signer": "Nguyễn Văn A, Chủ tịch UBND",
        },
        label="decision_create (POST announcement)",
    ),
    Row(
        "certification:decision_create",
        everyone(403, officer_b=404, supervisor=302, superuser=302),
        kwargs=lambda c: {"unit_pk": c.unit_a.pk},
        method="post",
        data=lambda c: {
            "kind": "recognition",
            "number": "98/QĐ-UBND",
            "signed_on": _today(),
            "signer": "Chủ tịch UBND huyện",
        },
        label="decision_create (POST recognition)",
    ),
    Row(
        "certification:decision_create",
        OTHER_DISTRICT,
        kwargs=lambda c: {"unit_pk": c.other_commune.pk},
        label="decision_create (other district)",
    ),
    Row(
        "certification:decision_detail",
        everyone(200, officer_b=404),
        kwargs=lambda c: {"pk": c.announcement.pk},
        label="decision_detail (unit A)",
    ),
    Row(
        "certification:decision_detail",
        OTHER_DISTRICT,
        kwargs=lambda c: {"pk": c.decision_x.pk},
        label="decision_detail (other district)",
    ),
    Row(
        "certification:decision_file",
        everyone(200, officer_b=404),
        kwargs=lambda c: {"pk": c.announcement.pk},
        label="decision_file (unit A)",
    ),
    Row(
        "certification:decision_file",
        everyone(404),
        kwargs=lambda c: {"pk": c.recognition.pk},
        label="decision_file (no file)",
    ),
    Row(
        "certification:decision_file",
        OTHER_DISTRICT,
        kwargs=lambda c: {"pk": c.decision_x.pk},
        label="decision_file (other district)",
    ),
    Row(
        "certification:decision_attach",
        CHANGE,
        kwargs=lambda c: {"pk": c.reannouncement.pk},
        label="decision_attach (re-announcement)",
    ),
    Row(
        "certification:decision_attach",
        MANAGE,
        kwargs=lambda c: {"pk": c.recognition.pk},
        label="decision_attach (recognition)",
    ),
    Row(
        "certification:decision_attach",
        # It has its file: refused with a message, back to the decision.
        everyone(403, officer_a=302, officer_b=404, supervisor=302, superuser=302),
        kwargs=lambda c: {"pk": c.announcement.pk},
        label="decision_attach (has a file)",
    ),
    Row(
        "certification:decision_attach",
        CHANGE_POST,
        kwargs=lambda c: {"pk": c.reannouncement.pk},
        method="post",
        data=lambda c: {"file": pdf_upload()},
        label="decision_attach (POST)",
    ),
    Row(
        "certification:decision_attach",
        everyone(404, superuser=302),
        kwargs=lambda c: {"pk": c.decision_x.pk},
        label="decision_attach (other district)",
    ),
    Row("certification:transition_list", everyone(200)),
    Row("certification:transition_create", everyone(403, supervisor=200, superuser=200)),
    Row(
        "certification:transition_create",
        everyone(403, supervisor=302, superuser=302),
        method="post",
        data=lambda c: {"unit": c.district.pk, "target_version": version(V2008).pk, "deadline": "2012-12-31"},
        label="transition_create (POST)",
    ),
    Row(
        "certification:transition_detail",
        DISTRICT_READ,
        kwargs=lambda c: {"pk": c.transition.pk},
        label="transition_detail (district)",
    ),
    Row(
        "certification:transition_detail",
        OTHER_DISTRICT,
        kwargs=lambda c: {"pk": c.transition_x.pk},
        label="transition_detail (other district)",
    ),
    Row("certification:transition_update", DISTRICT_MANAGE, kwargs=lambda c: {"pk": c.transition.pk}),
    Row(
        "certification:transition_update",
        DISTRICT_MANAGE_POST,
        kwargs=lambda c: {"pk": c.transition.pk},
        method="post",
        data={"deadline": "2019-09-01", "note": "Gia hạn."},
        label="transition_update (POST)",
    ),
    Row(
        "certification:transition_update",
        OTHER_DISTRICT,
        kwargs=lambda c: {"pk": c.transition_x.pk},
        label="transition_update (other district)",
    ),
    Row("certification:transition_delete", DISTRICT_MANAGE, kwargs=lambda c: {"pk": c.transition.pk}),
    Row(
        "certification:transition_delete",
        DISTRICT_MANAGE_POST,
        kwargs=lambda c: {"pk": c.transition.pk},
        method="post",
        label="transition_delete (POST)",
    ),
]
