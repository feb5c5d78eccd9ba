"""Time `import_units` on the whole legacy list (63 provinces, about 10,800 units), twice.

The first run creates every unit; the second must change nothing (idempotent) and be quick.
Uses its own database, qms_bench, on the server of DATABASE_URL: dropped and created afresh
on each run, so it never touches the development or test databases.

    DJANGO_SETTINGS_MODULE=qms.settings.test \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms \
    .venv/bin/python benchmarks/bench_import_units.py
"""

import os
import sys
import time
from pathlib import Path

from bench_db import recreate_database

BENCH_DB = "qms_bench"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def timed_import(label):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from communes.services import units_import

    started = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        result = units_import(dataset="legacy")
    seconds = time.monotonic() - started
    print(
        f"{label}: {seconds:6.2f} s  {result.total} units  created {result.created}  "
        f"updated {result.updated}  unchanged {result.unchanged}  queries {len(queries)}"
    )
    return result


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings.test")
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qms")
    os.environ["DATABASE_URL"] = recreate_database(url, BENCH_DB)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    name = settings.DATABASES["default"]["NAME"]
    assert name == BENCH_DB, name
    print(f"database {name}: migrating…")
    call_command("migrate", verbosity=0, interactive=False)

    first = timed_import("first run ")
    second = timed_import("second run")

    from communes.models import Unit

    print(f"units in the database: {Unit.objects.count()}  history rows: {Unit.history.count()}")
    if second.created or second.updated or second.unchanged != first.total:
        sys.exit("FAIL: the second run changed something; the import is not idempotent.")


if __name__ == "__main__":
    main()
