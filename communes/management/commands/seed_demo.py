from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand

from core import clock

# Demo modules that are not an app's `demo.py`, run in their ORDER with the others.
EXTRA_DEMOS = ["communes.demo_reorganisation"]
DEFAULT_ORDER = 100
# The demos ordered before this one tell the story of Việt Yên district before the 2025
# reorganisation: they run as if today were the district's last day (communes.demo.HISTORY_UNTIL),
# so that no record of an old commune is dated after it ceased. The later ones run today.
REORGANISATION_ORDER = 150

ACCOUNTS = "admin, district, committee, bichdong, ninhson, auditor, province, vietyen"


def demo_modules() -> list:
    """Each app's `demo` module and the EXTRA_DEMOS, in the order of their module attribute ORDER
    (DEFAULT_ORDER when missing); among equals, in INSTALLED_APPS order, the extras last."""
    names = []
    for config in apps.get_app_configs():
        module_name = f"{config.name}.demo"
        if config.name.startswith("django") or find_spec(config.name) is None:
            continue
        if find_spec(module_name) is not None:
            names.append(module_name)
    names += [name for name in EXTRA_DEMOS if name not in names]
    modules = [import_module(name) for name in names]
    return sorted(modules, key=lambda module: getattr(module, "ORDER", DEFAULT_ORDER))  # stable


class Command(BaseCommand):
    help = (
        "Load the demo: Việt Yên district (Bắc Giang) with its real communes, the demo accounts, "
        "each app's demo records (its demo.seed()) and the 2025 reorganisation into Bắc Ninh "
        "province. Safe to re-run."
    )

    def handle(self, *args, **options):
        from communes.demo import HISTORY_UNTIL

        for module in demo_modules():
            if getattr(module, "ORDER", DEFAULT_ORDER) < REORGANISATION_ORDER:
                with clock.as_of(min(HISTORY_UNTIL, clock.today())):
                    message = module.seed()
            else:
                message = module.seed()
            if message:
                self.stdout.write(self.style.SUCCESS(str(message)))
        self.stdout.write(f"Demo accounts (password demo12345): {ACCOUNTS}")
