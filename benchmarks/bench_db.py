"""The benchmarks' own databases: each benchmark drops and creates its database afresh on the
server of DATABASE_URL, through the maintenance database, so it never touches the development or
test databases."""

import sys
from urllib.parse import urlparse


def maintenance_connection(url):
    """An autocommit connection to the server's `postgres` database, and the parsed URL."""
    import psycopg2

    parsed = urlparse(url)
    if not parsed.scheme.startswith("postgres"):
        sys.exit(f"DATABASE_URL must be a PostgreSQL URL, not {parsed.scheme}://")
    conn = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password or None,
        dbname="postgres",
        connect_timeout=5,
    )
    conn.autocommit = True
    return conn, parsed


def recreate_database(url, name):
    """Drop and create the database `name`; return its URL."""
    conn, parsed = maintenance_connection(url)
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return parsed._replace(path=f"/{name}").geturl()


def drop_database(url, name):
    conn, _parsed = maintenance_connection(url)
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()
