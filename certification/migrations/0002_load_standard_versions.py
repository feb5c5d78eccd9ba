"""Load the standard versions the project ships with (TCVN ISO 9001:2008 and 9001:2015)."""

from django.db import migrations


def load(apps, schema_editor):
    from certification.versions import load_versions

    load_versions(apps.get_model("certification", "StandardVersion"))


class Migration(migrations.Migration):
    dependencies = [("certification", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
