"""Before the test suite: PostgreSQL and Redis must answer. No silent fallback to SQLite."""

import os
import sys
from urllib.parse import urlparse

PG_HINT = (
    "PostgreSQL does not answer at {url}.\n"
    "Start it with:  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n"
    "(or install it: apt-get install postgresql), or point DATABASE_URL at a running server."
)
REDIS_HINT = (
    "Redis does not answer at {url}.\n"
    "Start it with:  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no\n"
    "(or install it: apt-get install redis-server), or point REDIS_URL at a running server."
)


def check_postgres(url):
    import psycopg2

    parsed = urlparse(url)
    if not parsed.scheme.startswith("postgres"):
        sys.exit(f"DATABASE_URL must be a PostgreSQL URL for the test suite, not {parsed.scheme}://")
    try:
        # The maintenance database always exists; the test database is created by pytest.
        psycopg2.connect(
            host=parsed.hostname,
            port=parsed.port or 5432,
            user=parsed.username or "postgres",
            password=parsed.password or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg2.OperationalError as exc:
        sys.exit(PG_HINT.format(url=url) + f"\n\n{exc}")


def check_redis(url):
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        sys.exit(REDIS_HINT.format(url=url) + f"\n\n{exc}")


if __name__ == "__main__":
    check_postgres(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qms"))
    check_redis(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    print("PostgreSQL and Redis answer.")
