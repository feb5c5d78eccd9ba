"""The reports part of `seed_demo`: Việt Yên's annual report for 2018 carries its problems and
proposals, and a second run rewrites the same text (one report, same content)."""

import pytest
from django.urls import reverse

from communes import demo as communes_demo
from communes.models import Unit
from reports import demo
from reports.models import AnnualReport

pytestmark = pytest.mark.django_db


def test_demo_writes_the_2018_report_once(client):
    communes_demo.seed()
    demo.seed()
    demo.seed()
    report = AnnualReport.objects.get()
    district = Unit.objects.get(kind=Unit.Kind.DISTRICT, short_name=communes_demo.DISTRICT)
    assert (report.unit, report.year, report.updated_by.username) == (district, 2018, "district")
    assert report.problems == demo.PROBLEMS and report.proposals == demo.PROPOSALS
    client.login(username="district", password=communes_demo.DEMO_PASSWORD)
    page = client.get(reverse("reports:annual_report", args=[2018]), {"unit": district.pk})
    text = page.content.decode()
    assert page.status_code == 200
    assert "sổ theo dõi hồ sơ có lúc chưa khớp nhau" in text
    assert "chuyển đổi sang TCVN ISO 9001:2015" in text
