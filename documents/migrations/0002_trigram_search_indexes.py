"""Trigram indexes on the folded search columns, on PostgreSQL only (SQLite skips them).

Search folds the query the same way as the stored `search_text` (no diacritics, đ → d) and
matches with LIKE '%…%'; a pg_trgm GIN index keeps that fast on large tables.
"""

from django.db import migrations

TABLES = ["documents_document", "documents_procedure", "documents_legaldocument", "communes_unit"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table in TABLES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_search_trgm ON {table} USING gin (search_text gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_initial"),
        ("communes", "0002_user_history"),
    ]

    operations = [migrations.RunPython(create, drop)]
