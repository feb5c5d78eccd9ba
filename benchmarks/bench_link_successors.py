"""Time `link_successors` over the whole country: the legacy list (63 provinces, about 10,800
units) and the 2025 list (34 provinces, about 3,350 units) imported, then every old province
linked to its successors, twice.

The first pass writes the lineage (one `Succession` per old unit that merged or was renamed, the
old units closed on 30 June 2025); the second must change nothing. Prints, per pass, the seconds,
the SQL queries, the links written, the ambiguous (split) old wards and the largest single
province. Uses its own database, qms_bench_link, dropped and created afresh on each run.

    DJANGO_SETTINGS_MODULE=qms.settings.test \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms \\
    .venv/bin/python benchmarks/bench_link_successors.py
"""

import os
import sys
import time
from pathlib import Path

from bench_db import recreate_database

BENCH_DB = "qms_bench_link"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def link_every_province(label):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from communes import datasets
    from communes.models import Unit
    from communes.services import successors_link

    provinces = list(
        Unit.objects.filter(code_system=datasets.LEGACY, kind=Unit.Kind.PROVINCE).order_by("code")
    )
    linked = already = ambiguous = queries = 0
    slowest = (0.0, None)
    started = time.monotonic()
    for province in provinces:
        one = time.monotonic()
        with CaptureQueriesContext(connection) as captured:
            result = successors_link(province=province.short_name)
        seconds = time.monotonic() - one
        slowest = max(slowest, (seconds, province.name), key=lambda pair: pair[0])
        linked += len(result.linked)
        already += len(result.already)
        ambiguous += len(result.ambiguous)
        queries += len(captured)
    total = time.monotonic() - started
    print(
        f"{label}: {total:6.1f} s  {len(provinces)} provinces  linked {linked}  already {already}  "
        f"ambiguous {ambiguous}  queries {queries} ({queries / len(provinces):.1f} a province)  "
        f"slowest {slowest[1]} {slowest[0]:.2f} s"
    )
    return linked, already


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings.test")
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qms")
    os.environ["DATABASE_URL"] = recreate_database(url, BENCH_DB)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from communes.models import Succession, Unit
    from communes.services import units_import

    name = settings.DATABASES["default"]["NAME"]
    assert name == BENCH_DB, name
    print(f"database {name}: migrating, importing both lists…")
    call_command("migrate", verbosity=0, interactive=False)
    units_import(dataset="legacy")
    units_import(dataset="2025")
    print(f"units: {Unit.objects.count()}")

    first_linked, _ = link_every_province("first pass ")
    second_linked, second_already = link_every_province("second pass")
    print(
        f"successions: {Succession.objects.count()}  closed old units: "
        f"{Unit.objects.filter(code_system='legacy', valid_until__isnull=False).count()}"
    )
    if second_linked or second_already < first_linked:
        sys.exit("FAIL: the second pass linked again; link_successors is not idempotent.")


if __name__ == "__main__":
    main()
