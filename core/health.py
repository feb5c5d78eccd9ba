"""Checks behind /healthz: database, cache and broker, each with a short time-out."""

import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection


def _timed(check):
    started = time.monotonic()
    try:
        detail = check()
        status = "ok"
    except Exception as exc:  # noqa: BLE001 -- any failure is reported, never raised
        status, detail = "error", f"{type(exc).__name__}: {exc}"[:300]
    result = {"status": status, "ms": round((time.monotonic() - started) * 1000, 1)}
    if detail:
        result["detail"] = detail
    return result


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def check_cache():
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=5)
    if cache.get(key) != "1":
        raise RuntimeError("value written was not read back")
    cache.delete(key)
    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def check_broker():
    from qms.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=1)
    return settings.CELERY_BROKER_URL.split(":", 1)[0]


def run_checks():
    """All checks; the site is healthy when the database answers (cache and broker may lag)."""
    checks = {
        "database": _timed(check_database),
        "cache": _timed(check_cache),
        "broker": _timed(check_broker),
    }
    healthy = checks["database"]["status"] == "ok"
    return healthy, checks
