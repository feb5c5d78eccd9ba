"""Time the reminders sweep and delivery on a generated data set (issue 6).

Generates 100,000 documents and 50,000 corrective actions (by default) across a few hundred
communes of four provinces, with due dates spread so that a good share falls due (reviews due in
the next month or overdue, actions due or overdue, actions done and waiting for verification),
then measures, each in a fresh Python process (so that its peak memory is its own):

1. the first sweep (every registered rule) — writes the outbox;
2. a second sweep on the same day — must write nothing;
3. the delivery of the outbox (in-app notifications).

For each: wall time, SQL queries (counted with connection.execute_wrapper), peak RSS of the
process (resource.getrusage) and its growth over the process's state before the run, and the
rows written. Then the outbox is emptied and the three runs are repeated under tracemalloc for
the peak of Python allocations (tracemalloc slows Python down: its times are not the figures).

Uses its own database, qms_bench_reminders, on the server of DATABASE_URL: dropped and created
afresh on each run (left in place at the end, for a look; --drop removes it).

    DJANGO_SETTINGS_MODULE=qms.settings.test \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms \
    .venv/bin/python benchmarks/bench_reminders.py [--documents N] [--actions N] [--units N]
"""

import argparse
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlparse

from bench_db import drop_database, recreate_database

BENCH_DB = "qms_bench_reminders"
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# A fixed Monday, so that the figures do not move with the calendar (the data is generated
# around it, and the sweep runs as of it).
TODAY = datetime.date(2025, 11, 10)
PROVINCES = 4


# --- The data set --------------------------------------------------------------------------------
def generate(units: int, documents: int, actions: int, seed: int = 6) -> dict:
    """Units, people, documents, nonconformities and corrective actions, with bulk inserts."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from audits.models import CorrectiveAction, Nonconformity
    from communes.models import Membership, Unit
    from documents.models import Document

    rng = random.Random(seed)
    user_model = get_user_model()
    day = datetime.timedelta(days=1)

    provinces = [
        Unit.objects.create(name=f"Tỉnh Thử Nghiệm {p + 1}", kind=Unit.Kind.PROVINCE)
        for p in range(PROVINCES)
    ]
    communes = Unit.objects.bulk_create(
        [
            Unit(
                name=f"{'Phường' if i % 4 == 0 else 'Xã'} Thử Nghiệm {i + 1}",
                kind=Unit.Kind.WARD if i % 4 == 0 else Unit.Kind.COMMUNE,
                parent=provinces[i % PROVINCES],
                search_text=f"thu nghiem {i + 1}",
            )
            for i in range(units)
        ],
        batch_size=1000,
    )
    table = Unit._meta.db_table
    with connection.cursor() as cursor:  # the materialised paths, as Unit.save() would set them
        cursor.execute(
            f"UPDATE {table} u SET path = p.path || u.id || '/', depth = 1 "  # noqa: S608
            f"FROM {table} p WHERE u.parent_id = p.id AND u.path = ''"
        )

    # People: per commune an ISO officer and its head (committee), a second officer in one
    # commune out of ten; per province three supervisors (ISO staff) and two committee members.
    people = []  # (username, unit, role)
    for unit in communes:
        people.append((f"officer{unit.pk}", unit, Membership.Role.OFFICER))
        people.append((f"head{unit.pk}", unit, Membership.Role.COMMITTEE))
        if unit.pk % 10 == 0:
            people.append((f"officer{unit.pk}b", unit, Membership.Role.OFFICER))
    for province in provinces:
        people += [(f"staff{province.pk}-{k}", province, Membership.Role.SUPERVISOR) for k in range(3)]
        people += [(f"committee{province.pk}-{k}", province, Membership.Role.COMMITTEE) for k in range(2)]
    users = user_model.objects.bulk_create(
        [user_model(username=name, email=f"{name}@example.vn", password="!") for name, _u, _r in people],
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        [
            Membership(user=user, unit=unit, role=role)
            for user, (_n, unit, role) in zip(users, people, strict=True)
        ],
        batch_size=2000,
    )
    officer_of = {
        unit.pk: user for user, (_n, unit, role) in zip(users, people, strict=True) if role == "officer"
    }

    # Documents: 85 % in force, reviewed yearly, next review spread from 45 days overdue to
    # 320 days ahead (about a fifth due within the 30-day lead or overdue); drafts; withdrawn.
    per_unit = -(-documents // len(communes))
    batch, made = [], 0
    kinds = [Document.Kind.TTHC_PROCEDURE] * 6 + [Document.Kind.INTERNAL_PROCEDURE, Document.Kind.FORM]
    for unit in communes:
        for j in range(per_unit):
            if made == documents:
                break
            roll = rng.random()
            status = (
                Document.Status.EFFECTIVE
                if roll < 0.85
                else (Document.Status.DRAFT if roll < 0.95 else Document.Status.WITHDRAWN)
            )
            batch.append(
                Document(
                    unit=unit,
                    code=f"QT-{j + 1:04d}",
                    title=f"Quy trình giải quyết thủ tục hành chính số {j + 1}",
                    kind=rng.choice(kinds),
                    status=status,
                    review_period_months=12,
                    next_review_on=TODAY + rng.randint(-45, 320) * day
                    if status != Document.Status.DRAFT
                    else None,
                )
            )
            made += 1
            if len(batch) == 5000:
                Document.objects.bulk_create(batch)
                batch = []
    Document.objects.bulk_create(batch)

    # Nonconformities with two corrective actions each: 40 % planned (due from 60 days ago to
    # 90 days ahead), 20 % done and awaiting verification (done in the last 60 days), 40 %
    # verified effective.
    nonconformities = Nonconformity.objects.bulk_create(
        [
            Nonconformity(
                unit=unit,
                source=Nonconformity.Source.AUDIT,
                title="Hồ sơ giải quyết trễ hạn",
                description="Hồ sơ trả kết quả trễ hạn so với quy trình.",
                raised_on=TODAY - rng.randint(10, 365) * day,
                raised_by=officer_of[unit.pk],
            )
            for unit in (rng.choice(communes) for _ in range(-(-actions // 2)))
        ],
        batch_size=5000,
    )
    batch = []
    for k in range(actions):
        nc = nonconformities[k // 2]
        roll = rng.random()
        owner = officer_of[nc.unit_id]
        fields = {"due_on": TODAY + rng.randint(-60, 90) * day}
        if roll < 0.4:
            fields["state"] = CorrectiveAction.State.PLANNED
        elif roll < 0.6:
            fields.update(state=CorrectiveAction.State.DONE, done_on=TODAY - rng.randint(0, 60) * day)
        else:
            fields.update(state=CorrectiveAction.State.EFFECTIVE, done_on=TODAY - rng.randint(30, 200) * day)
        batch.append(
            CorrectiveAction(
                nonconformity=nc,
                root_cause="Thiếu cán bộ tiếp nhận.",
                action=f"Bố trí thêm cán bộ tại bộ phận một cửa ({k + 1})",
                owner=owner,
                **fields,
            )
        )
        if len(batch) == 5000:
            CorrectiveAction.objects.bulk_create(batch)
            batch = []
    CorrectiveAction.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would have, on a database in service
    return {
        "units": Unit.objects.count(),
        "users": user_model.objects.count(),
        "documents": Document.objects.count(),
        "nonconformities": Nonconformity.objects.count(),
        "actions": CorrectiveAction.objects.count(),
    }


# --- One measured run, in a process of its own --------------------------------------------------
def memory_mb(field: str) -> float | None:
    """VmRSS (now) or VmHWM (peak) of this process, from /proc (Linux); None elsewhere.

    Not resource.getrusage's ru_maxrss: on Linux a process started by fork and exec keeps the
    parent's high-water mark, so it would show the generator's memory, not the run's.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def peak_rss_mb() -> float:
    peak = memory_mb("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_phase(phase: str, trace: bool) -> dict:
    """Run one phase ("sweep" or "deliver") and return its figures (printed as JSON)."""
    import django

    django.setup()
    from django.db import connection

    from reminders.models import Notification, Reminder
    from reminders.rules import base
    from reminders.services.delivery import deliver_reminders
    from reminders.services.sweep import sweep

    base.all_rules()
    connection.ensure_connection()
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    before = memory_mb("VmRSS") or 0.0
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        result = sweep(today=TODAY).as_dict() if phase == "sweep" else deliver_reminders().as_dict()
    seconds = time.perf_counter() - started
    figures = {
        "phase": phase,
        "seconds": round(seconds, 2),
        "queries": queries,
        "rss_before_mb": round(before, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "result": result,
        "outbox": Reminder.objects.count(),
        "notifications": Notification.objects.count(),
    }
    if trace:
        figures["tracemalloc_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    return figures


def measure(phase: str, env: dict, trace: bool = False) -> dict:
    command = [sys.executable, __file__, "--phase", phase] + (["--trace"] if trace else [])
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        sys.exit(f"the {phase} run failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(label: str, figures: dict, traced: dict):
    result = figures["result"]
    written = result.get("created", result.get("sent"))
    print(
        f"{label:<14}{figures['seconds']:>8.2f} s {figures['queries']:>7} queries  "
        f"peak RSS {figures['peak_rss_mb']:>6.1f} MB (+{figures['peak_rss_mb'] - figures['rss_before_mb']:.1f})  "
        f"tracemalloc peak {traced['tracemalloc_peak_mb']:>6.1f} MB  written {written:>6}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--actions", type=int, default=50_000)
    parser.add_argument("--units", type=int, default=400)
    parser.add_argument("--drop", action="store_true", help="drop the benchmark's database at the end")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the data set of the last run (only the outbox is emptied)"
    )
    parser.add_argument("--phase", choices=["sweep", "deliver"], help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings.test")
    if args.phase:
        print(json.dumps(run_phase(args.phase, args.trace)))
        return

    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qms")
    bench_url = (
        urlparse(url)._replace(path=f"/{BENCH_DB}").geturl()
        if args.reuse
        else recreate_database(url, BENCH_DB)
    )
    env = {**os.environ, "DATABASE_URL": bench_url}
    os.environ.update(env)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from reminders.models import Notification, Reminder, SweepRun

    name = settings.DATABASES["default"]["NAME"]
    assert name == BENCH_DB, name
    print(f"database {name}: migrating…")
    call_command("migrate", verbosity=0, interactive=False)
    tables = ", ".join(model._meta.db_table for model in (Notification, Reminder, SweepRun))

    def empty_outbox():
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY")
        connection.close()

    if args.reuse:
        from audits.models import CorrectiveAction
        from documents.models import Document

        print(f"reusing {Document.objects.count():,} documents, {CorrectiveAction.objects.count():,} actions")
        empty_outbox()
    else:
        started = time.monotonic()
        counts = generate(args.units, args.documents, args.actions)
        print(
            f"generated in {time.monotonic() - started:.1f} s: "
            + ", ".join(f"{count:,} {what}" for what, count in counts.items())
        )
        connection.close()

    plain = [measure("sweep", env), measure("sweep", env), measure("deliver", env)]
    empty_outbox()  # afresh for the traced runs
    traced = [measure("sweep", env, True), measure("sweep", env, True), measure("deliver", env, True)]

    print(f"as of {TODAY:%d/%m/%Y}; times and RSS without tracemalloc, its peak from a second, traced run")
    for label, figures, trace in zip(("first sweep", "second sweep", "delivery"), plain, traced, strict=True):
        report(label, figures, trace)
    first, second, delivery = plain
    print("first sweep by rule:")
    for rule, stages in first["result"]["by_rule"].items():
        print(f"  {rule:<22} {sum(stages.values()):>6}  " + "  ".join(f"{k} {v}" for k, v in stages.items()))
    print("items by rule:", json.dumps(first["result"]["items"]))
    failed = []
    if first["result"]["errors"]:
        failed.append(f"rules failed: {first['result']['errors']}")
    if second["result"]["created"]:
        failed.append("the second sweep wrote reminders")
    if delivery["result"]["sent"] != first["outbox"] or delivery["notifications"] != first["outbox"]:
        failed.append("the delivery did not send every reminder once")
    if args.drop:
        drop_database(url, BENCH_DB)
    if failed:
        sys.exit("FAIL: " + "; ".join(failed))


if __name__ == "__main__":
    main()
