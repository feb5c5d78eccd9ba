from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Load the demo: Việt Yên district (Bắc Giang) with its real communes, the demo accounts "
        "and each app's demo records (its demo.seed()). Safe to re-run."
    )

    def handle(self, *args, **options):
        for config in apps.get_app_configs():
            module_name = f"{config.name}.demo"
            if config.name.startswith("django") or find_spec(config.name) is None:
                continue
            if find_spec(module_name) is None:
                continue
            message = import_module(module_name).seed()
            if message:
                self.stdout.write(self.style.SUCCESS(str(message)))
        self.stdout.write(
            "Demo accounts (password demo12345): admin, district, committee, bichdong, ninhson, auditor"
        )
