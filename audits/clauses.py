"""The ISO 9001:2015 clause list shipped with the project (audits/data), loaded idempotently.

Used by the data migration and by `seed_demo`, so a database whose rows were flushed (as
transactional tests do) gets its clauses back.
"""

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "iso9001_2015_clauses.csv"


def sort_key(code: str) -> str:
    return ".".join(f"{int(part):03d}" for part in code.split("."))


def load_clauses(clause_model) -> int:
    """Create or update every clause; returns how many were created."""
    existing = set(clause_model.objects.values_list("code", flat=True))
    created = 0
    with DATA.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            clause_model.objects.update_or_create(
                code=row["clause"],
                defaults={
                    "title_en": row["title_en"],
                    "title_vi": row["title_vi"],
                    "sort_key": sort_key(row["clause"]),
                },
            )
            created += row["clause"] not in existing
    return created
