import argparse
import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from communes import datasets
from communes.services import REORGANISATION_DAY, successors_link


def _unit(unit):
    return f"{unit.code} {unit.name}" if unit is not None else "—"


def _date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date of the form YYYY-MM-DD.") from exc


class Command(BaseCommand):
    help = (
        "Link the old units of a province (63-province list) that were imported to their "
        "successors in the 34-province list of 1 July 2025, from the conversion data shipped "
        "with vietnamadminunits (offline). Idempotent. "
        'Example: link_successors --province "Bắc Giang"'
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--province",
            required=True,
            help="Old or new province name, with or without diacritics (Bắc Giang, bac ninh).",
        )
        parser.add_argument(
            "--date",
            type=_date,
            default=REORGANISATION_DAY,
            help="Day the successors took over, YYYY-MM-DD (default 2025-07-01); "
            "the old units end the day before.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Compute and print what would change; write nothing."
        )

    def handle(self, *args, province, date, dry_run, **options):
        with transaction.atomic():
            try:
                result = successors_link(province=province, effective_on=date)
            except datasets.UnknownArea as exc:
                raise CommandError(str(exc)) from exc
            if dry_run:
                transaction.set_rollback(True)
        self._report(result, date, dry_run, options["verbosity"])

    def _report(self, result, date, dry_run, verbosity):
        write = self.stdout.write
        would = "would be " if dry_run else ""
        last_day = (date - datetime.timedelta(days=1)).strftime("%d/%m/%Y")
        if result.linked:
            write(f"{'Would link' if dry_run else 'Linked'}, old → new (kind):")
            for s in result.linked:
                write(f"  {_unit(s.predecessor)} → {_unit(s.successor)} ({s.kind})")
        if result.already and verbosity > 1:
            write("Already linked:")
            for s in result.already:
                write(f"  {_unit(s.predecessor)} → {_unit(s.successor)} ({s.kind})")
        if result.ambiguous:
            write("Ambiguous, not linked: each old ward below was split between several new units.")
            for item in result.ambiguous:
                candidates = ", ".join(_unit(u) for u in item.candidates)
                write(
                    f"  {_unit(item.predecessor)} → one of: {candidates}; default in the data: {_unit(item.default)}"
                )
            write(self.style.WARNING("  Settle each of them with the merge workflow in the interface."))
        if result.abolished:
            write(f"Districts {would}closed (abolished, no successor; valid until {last_day}):")
            for district in result.abolished:
                write(f"  {_unit(district)}")
        write(
            self.style.SUCCESS(
                f"Totals: {len(result.linked)} link(s) {would}created, {len(result.already)} already there, "
                f"{len(result.ambiguous)} ambiguous, {len(result.abolished)} district(s) {would}closed, "
                f"{result.skipped_not_imported} old units skipped (not imported), "
                f"{result.successors_imported} units of the 2025 list {would}imported, "
                f"in {result.seconds:.1f} s."
            )
        )
        if dry_run:
            write("Dry run: nothing was written.")
