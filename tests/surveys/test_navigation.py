"""The surveys pages share one tab bar: satisfaction (results, online responses, paper forms and
rating devices) and one-stop records (record counts, reconciliation, on-time rate)."""

import re

import pytest
from django.urls import reverse

TABS = [
    "surveys:results",
    "surveys:response_list",
    "surveys:tally_list",
    "surveys:record_list",
    "surveys:reconciliation",
    "surveys:ontime",
]


@pytest.mark.parametrize("name", TABS)
def test_every_surveys_page_shows_every_tab_with_its_own_active(name, client, viewer):
    client.force_login(viewer)
    html = client.get(reverse(name)).content.decode()
    bar = re.search(r'<ul class="[^"]*" id="surveys-tabs">(.*?)</ul>', html, re.S)
    assert bar is not None
    links = re.findall(r'<a class="nav-link( active)?"[^>]*href="([^"]+)"', bar.group(1))
    assert [href for _active, href in links] == [reverse(n) for n in TABS]
    assert [href for active, href in links if active] == [reverse(name)]
