"""Production settings refuse to start half-configured, and `check --deploy` is clean.

Each case runs in a subprocess with a controlled environment: the settings are read at import.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent.parent
GOOD_KEY = secrets.token_urlsafe(60)


def _env(**values):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "qms.settings.prod",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qms"),
        # Set (even empty) so that a developer's .env file cannot fill them in.
        "SECRET_KEY": "",
        "ALLOWED_HOSTS": "",
    }
    env.update(values)
    return env


def _run(args, **env):
    return subprocess.run(  # noqa: S603 -- our own interpreter and fixed arguments
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


SETUP = ["-c", "import django; django.setup()"]


def test_prod_refuses_to_start_without_secret_key():
    result = _run(SETUP, ALLOWED_HOSTS="qms.example.vn")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set" in result.stderr


def test_prod_refuses_a_short_secret_key():
    result = _run(SETUP, SECRET_KEY="too-short", ALLOWED_HOSTS="qms.example.vn")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_prod_refuses_to_start_without_allowed_hosts():
    result = _run(SETUP, SECRET_KEY=GOOD_KEY)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "ALLOWED_HOSTS must list" in result.stderr


def test_prod_starts_when_configured():
    result = _run(SETUP, SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="qms.example.vn")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("redis", ["", "redis://127.0.0.1:6379/1"])
def test_check_deploy_is_clean(redis):
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="qms.example.vn,localhost",
        REDIS_URL=redis,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
