"""seed_demo (DESIGN.md §3): the demo district, its waves and the demo accounts (the six of
DESIGN.md and the two of the 2025 reorganisation: the Bắc Ninh province staff, the officer of
Phường Việt Yên)."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from communes.demo import committee_group
from communes.models import Membership, Unit, Wave

User = get_user_model()
DEMO_USERS = {"admin", "district", "committee", "bichdong", "ninhson", "auditor", "province", "vietyen"}


def seed():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def state():
    return {
        "units": Unit.objects.count(),
        "users": User.objects.count(),
        "memberships": sorted(
            Membership.objects.values_list("user__username", "unit__code_system", "unit__code", "role")
        ),
        "waves": sorted(Wave.objects.values_list("name", "year")),
        "unit_history": Unit.history.count(),
        "membership_history": Membership.history.count(),
        "groups": sorted(User.objects.filter(groups__isnull=False).values_list("username", "groups__name")),
    }


@pytest.fixture
def demo(db):
    return seed()


def test_demo_accounts_and_password(demo):
    assert set(User.objects.values_list("username", flat=True)) == DEMO_USERS
    for user in User.objects.all():
        assert user.check_password("demo12345"), user.username
        assert user.is_active
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert set(User.objects.filter(is_staff=True).values_list("username", flat=True)) == {
        "admin",
        "committee",
    }
    assert not User.objects.filter(is_superuser=True).exclude(username="admin").exists()
    assert "demo12345" in demo


def test_demo_memberships(demo):
    district = Unit.objects.get(code_system="legacy", code="222")
    memberships = Membership.objects.values_list("user__username", "unit__code_system", "unit__code", "role")
    assert set(memberships) == {
        ("district", "legacy", "222", Membership.Role.SUPERVISOR),
        ("committee", "legacy", "222", Membership.Role.COMMITTEE),
        ("auditor", "legacy", "222", Membership.Role.AUDITOR),
        ("bichdong", "legacy", "07777", Membership.Role.OFFICER),
        ("ninhson", "legacy", "07798", Membership.Role.OFFICER),
        ("province", "2025", "24", Membership.Role.SUPERVISOR),
        ("committee", "2025", "24", Membership.Role.COMMITTEE),
        ("vietyen", "2025", "07777", Membership.Role.OFFICER),
    }
    assert district.short_name == "Việt Yên"
    committee = User.objects.get(username="committee")
    assert committee.groups.filter(pk=committee_group().pk).exists()
    assert committee.has_perm("communes.view_unit")
    # Every app's demo adds its models to the committee's group; none resets what another gave.
    for perm in (
        "documents.view_document",
        "audits.view_nonconformity",
        "certification.view_scoresheet",
        "surveys.view_recordcount",
    ):
        assert User.objects.get(pk=committee.pk).has_perm(perm), perm
    # Names in Vietnamese order on the pages: family name in last_name.
    bichdong = User.objects.get(username="bichdong")
    assert (bichdong.last_name, bichdong.first_name) == ("Lê Thu", "Hà")


def test_demo_waves(demo):
    district = Unit.objects.get(code_system="legacy", code="222")
    communes = Unit.objects.filter(parent=district)
    assert communes.count() == 17
    pilot = set(communes.filter(wave__name="Thí điểm 2017").values_list("code", flat=True))
    assert pilot == {"07777", "07798"}
    assert communes.filter(wave__name="Nhân rộng 2018").count() == 15
    assert not communes.filter(wave=None).exists()
    assert set(communes.filter(code__in=pilot).values_list("joined_on", flat=True)) == {
        datetime.date(2017, 3, 1)
    }
    assert Wave.objects.get(name="Thí điểm 2017").year == 2017
    assert Wave.objects.get(name="Nhân rộng 2018").year == 2018


def test_seed_demo_is_idempotent(demo):
    first = state()
    seed()
    assert state() == first


def test_seed_demo_keeps_a_changed_password(demo):
    """A re-run must not reset what people changed since."""
    user = User.objects.get(username="bichdong")
    user.set_password("a-new-secret-1")
    user.save()
    seed()
    user.refresh_from_db()
    assert user.check_password("a-new-secret-1")


def test_bichdong_cannot_open_ninh_son(demo, client):
    assert client.login(username="bichdong", password="demo12345")
    bich_dong = Unit.objects.get(code_system="legacy", code="07777")
    ninh_son = Unit.objects.get(code_system="legacy", code="07798")
    assert client.get(bich_dong.get_absolute_url()).status_code == 200
    assert client.get(ninh_son.get_absolute_url()).status_code == 404


def test_district_supervisor_sees_the_whole_district(demo, client):
    assert client.login(username="district", password="demo12345")
    response = client.get("/units/")
    assert response.context["table"].paginator.count == 18  # the district and its 17 units


def test_no_record_of_an_old_unit_after_its_last_day(demo):
    """The story of Việt Yên district ends on 30 June 2025: the demos before the reorganisation
    run as of that day, so no old commune has a record dated after it ceased."""
    from audits.models import Audit, Nonconformity
    from certification.models import Measurement
    from communes.demo import HISTORY_UNTIL
    from surveys.models import RecordCount, Response, Tally

    district = Unit.objects.get(code_system="legacy", code="222")
    old = Unit.objects.filter(path__startswith=district.path, valid_until=HISTORY_UNTIL)
    assert old.count() == 18  # the district and its 17 communes and wards
    checks = {
        "responses": Response.objects.filter(unit__in=old, submitted_at__date__gt=HISTORY_UNTIL),
        "tallies": Tally.objects.filter(unit__in=old, period_end__gt=HISTORY_UNTIL),
        "record counts": RecordCount.objects.filter(unit__in=old, month__gt=HISTORY_UNTIL),
        "nonconformities": Nonconformity.objects.filter(unit__in=old, raised_on__gt=HISTORY_UNTIL),
        "audits": Audit.objects.filter(unit__in=old, planned_month__gt=HISTORY_UNTIL),
        "measurements": Measurement.objects.filter(
            indicator__objective__unit__in=old, recorded_on__gt=HISTORY_UNTIL
        ),
    }
    for name, rows in checks.items():
        assert not rows.exists(), name
    # ... and the old district's story runs up to then: responses and counts of its last months.
    last_months = HISTORY_UNTIL - datetime.timedelta(days=62)
    assert Response.objects.filter(unit__in=old, submitted_at__date__gt=last_months).exists()
    assert RecordCount.objects.filter(unit__in=old, month__gt=last_months).exists()
