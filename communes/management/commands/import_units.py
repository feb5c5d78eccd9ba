from django.core.management.base import BaseCommand, CommandError

from communes import datasets
from communes.services import units_import


class Command(BaseCommand):
    help = (
        "Import real administrative units from the national lists (idempotent). "
        'Example: import_units --dataset legacy --province "Bắc Giang" --district "Việt Yên"'
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dataset",
            choices=datasets.DATASETS,
            default=datasets.LEGACY,
            help="legacy: the 63-province list before 1 July 2025; 2025: the 34-province list.",
        )
        parser.add_argument("--province", help="Province name, with or without diacritics.")
        parser.add_argument("--district", help="District name (legacy list only).")

    def handle(self, *args, dataset, province, district, **options):
        try:
            result = units_import(dataset=dataset, province=province, district=district)
        except datasets.UnknownArea as exc:
            raise CommandError(str(exc)) from exc
        kinds = ", ".join(f"{kind}: {n}" for kind, n in sorted(result.by_kind.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.total} units ({kinds}): {result.created} created, "
                f"{result.updated} updated, {result.unchanged} unchanged in {result.seconds:.1f} s."
            )
        )
