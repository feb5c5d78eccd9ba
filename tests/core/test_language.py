"""Vietnamese by default, English on request (DESIGN.md §4)."""

from django.conf import settings
from django.urls import reverse


def test_default_language_is_vietnamese(tree, supervisor, login):
    response = login(supervisor).get(reverse("core:dashboard"))
    assert response.status_code == 200
    assert '<html lang="vi">' in response.content.decode()


def test_login_page_is_vietnamese_for_anonymous_users(client, db):
    assert '<html lang="vi">' in client.get(reverse("login")).content.decode()


def test_set_language_switches_to_english_and_back(tree, supervisor, login):
    client = login(supervisor)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/units/"})
    assert response.status_code == 302
    assert response["Location"] == "/units/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(reverse("core:dashboard")).content.decode()
    assert '<html lang="en">' in page
    assert "Dashboard" in page

    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert '<html lang="vi">' in client.get(reverse("core:dashboard")).content.decode()


def test_unknown_language_is_ignored(tree, supervisor, login):
    client = login(supervisor)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert '<html lang="vi">' in client.get(reverse("core:dashboard")).content.decode()


def test_browser_language_is_honoured(tree, supervisor, login):
    client = login(supervisor)
    response = client.get(reverse("core:dashboard"), headers={"accept-language": "en"})
    assert '<html lang="en">' in response.content.decode()
