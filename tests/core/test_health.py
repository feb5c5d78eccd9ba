"""/healthz (DESIGN.md §3): 200 when the database answers, else 503; cache and broker reported.

Outages are real: a database name that does not exist, Redis on a closed port.
"""

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from qms.celery import app as celery_app

CLOSED_PORT = "redis://127.0.0.1:1/0"


def _health(client):
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"
    return response, response.json()


@pytest.mark.django_db
def test_healthz_all_up(client):
    response, body = _health(client)
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    for name, check in body["checks"].items():
        assert check["status"] == "ok", (name, check)
        assert isinstance(check["ms"], int | float)
    # The test settings run on PostgreSQL and Redis, never on fallbacks.
    assert body["checks"]["database"]["detail"] == "postgresql"
    assert body["checks"]["cache"]["detail"] == "RedisCache"
    assert body["checks"]["broker"]["detail"] == "redis"


@pytest.mark.django_db(transaction=True)
def test_healthz_503_when_the_database_does_not_answer(client):
    original = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = "qms_healthz_no_such_database"
    try:
        response, body = _health(client)
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original
    assert response.status_code == 503
    assert body["status"] == "error"
    assert body["checks"]["database"]["status"] == "error"
    assert "qms_healthz_no_such_database" in body["checks"]["database"]["detail"]
    # The other checks still ran.
    assert body["checks"]["cache"]["status"] == "ok"
    assert body["checks"]["broker"]["status"] == "ok"
    # The connection is usable again for the rest of the suite.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


@pytest.mark.django_db
def test_healthz_200_when_the_cache_is_down(client):
    caches = {"default": {**settings.CACHES["default"], "LOCATION": CLOSED_PORT}}
    with override_settings(CACHES=caches):
        response, body = _health(client)
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["checks"]["cache"]["status"] == "error"
    assert body["checks"]["database"]["status"] == "ok"


@pytest.fixture
def broker_down():
    """Point the Celery app (already configured from the settings) at a closed port."""
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = CLOSED_PORT
    try:
        with override_settings(CELERY_BROKER_URL=CLOSED_PORT):
            yield
    finally:
        celery_app.conf.broker_url = original


@pytest.mark.django_db
def test_healthz_200_when_the_broker_is_down(client, broker_down):
    response, body = _health(client)
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["checks"]["broker"]["status"] == "error"
    assert body["checks"]["broker"]["ms"] < 5000
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["cache"]["status"] == "ok"


@pytest.mark.django_db
def test_healthz_needs_no_login_and_answers_get_only_as_json(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"]["status"] == "ok"
