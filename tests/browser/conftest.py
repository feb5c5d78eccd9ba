"""Browser tests: Debian's Chromium driven by Playwright's sync API against `live_server`.

No pytest-playwright plugin: one Chromium shared by the browser tests, one fresh context
(cookies, language) per test. Chromium missing → the tests skip, unless
QMS_BROWSER_TESTS=required (set by .ci/run), where they fail: CI must never pass without having
driven a browser.

Playwright's sync API keeps an asyncio loop marked as running in this thread between its calls,
and Django refuses ORM calls from a thread with a running loop. So, while the browser is open,
DJANGO_ALLOW_ASYNC_UNSAFE is set (the ORM calls are the test's own and the live server's, each
in its own thread), and the browser closes with the last test of this package, so that the rest
of the suite runs without the loop (asgiref's async_to_sync refuses to run beside one).
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

CHROMIUM = os.environ.get("QMS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
DEMO_PASSWORD = "demo12345"
DEFAULT_TIMEOUT_MS = 15_000


def _required():
    return os.environ.get("QMS_BROWSER_TESTS", "").lower() == "required"


def _unavailable(reason):
    if _required():
        pytest.fail(f"Browser tests are required (QMS_BROWSER_TESTS=required) but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for the browser tests (see the module docstring for the scope)."""
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium).")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -r requirements-dev.txt).")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            try:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            except Exception as exc:  # noqa: BLE001 -- any launch failure is reported the same way
                _unavailable(f"Chromium at {CHROMIUM} did not start: {exc}")
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def demo(transactional_db):
    """The real demo of `make run`: Việt Yên district, its communes and the demo accounts."""
    call_command("seed_demo", verbosity=0)


@pytest.fixture
def page(browser, live_server, demo):
    """A fresh browser context (no cookies) on the live server, Vietnamese by default."""
    context = browser.new_context(
        base_url=live_server.url, locale="vi-VN", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def login(page):
    """`login(username)` logs the page in through the login form and lands on the dashboard."""

    def _login(username, password=DEMO_PASSWORD):
        page.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("main form [type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    return _login


@pytest.fixture
def screenshot(page):
    """`screenshot(name)` saves the whole page to test-artifacts/<name>.png."""

    def _screenshot(name):
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _screenshot
