"""Load the ISO 9001:2015 clause titles (English and Vietnamese) shipped in audits/data."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "iso9001_2015_clauses.csv"


def load(apps, schema_editor):
    Clause = apps.get_model("audits", "Clause")
    with DATA.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            sort_key = ".".join(f"{int(p):03d}" for p in row["clause"].split("."))
            Clause.objects.update_or_create(
                code=row["clause"],
                defaults={"title_en": row["title_en"], "title_vi": row["title_vi"], "sort_key": sort_key},
            )


class Migration(migrations.Migration):
    dependencies = [("audits", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
