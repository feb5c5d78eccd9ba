"""Load the ISO 9001:2015 clause titles (English and Vietnamese) shipped in audits/data."""

from django.db import migrations


def load(apps, schema_editor):
    from audits.clauses import load_clauses

    load_clauses(apps.get_model("audits", "Clause"))


class Migration(migrations.Migration):
    dependencies = [("audits", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
