"""The surveys part of `seed_demo`: citizen satisfaction and one-stop record counts of the
Việt Yên units.

- Record counts: the 24 full months before the current month (relative to core.clock.today(), so
  the demo stays current, like the documents demo), for every commune and ward, from both
  sources (one-stop software and tracking book): one row for all procedures together and rows for
  three frequent procedures (certified copies, birth registration, signature attestation). The
  two sources agree except for the deliberate mismatches of MISMATCHES (four unit-months): a file
  missing from the book (already explained), late files written as on time in the book, a month
  whose book was never entered, a software export taken before the month was closed.
- Online responses over the last twelve months (a few hundred, mostly satisfied, some comments;
  one comment reports a problem at Bích Động and waits for the officer to raise it).
- Tallies of paper forms per quarter and criterion for every unit, and of the rating devices of
  the two pilot units (overall satisfaction only).
- An objective of Bích Động for the year of the last counted month (the current year, except in
  January) with the monthly indicator "Tỷ lệ hồ sơ giải quyết đúng hạn" ≥ 95 % computed from the
  one-stop records (indicator feed "on_time_rate"; the certification demo's objectives are those
  of 2018 and 2019, years the record counts do not reach). The officer recorded each month's
  figure a week after the month, as the feed gave it, except the last counted month, left for
  her to confirm: its page shows the figure with "use this value".

Numbers come from a random generator seeded per unit and month, so a month's figures are the same
on every run. Everything is written in bulk (with the history rows of the edited records). A
second run on the same day changes nothing; a run in a later month adds the new month's figures
and keeps the older ones.
"""

import datetime
import hashlib
import random
import time

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from certification.models import Indicator, Objective
from certification.services import objectives as objective_services
from communes.demo import DISTRICT, PILOT_CODES
from communes.models import Unit
from core import clock
from surveys.feeds import on_time_rate
from surveys.models import CRITERIA, Reconciliation, RecordCount, Response, Tally
from surveys.selectors_records import mismatches, on_time_rates
from surveys.services.imports import procedures_by_code
from surveys.services.responses import survey_procedures

MONTHS = 24
RESPONSE_MONTHS = 12
BICH_DONG, NINH_SON = "07777", "07798"
# Certified copies, birth registration, signature attestation: the busiest commune-level TTHC.
COUNTED_PROCEDURES = {"2.000815": 0.34, "1.001193": 0.12, "2.000884": 0.18}

# (unit: a unit code or the position in the sorted unit list, months before the current one, kind)
MISMATCHES = [
    (BICH_DONG, 3, "missing_entry"),
    (NINH_SON, 8, "late_as_on_time"),
    (2, 14, "book_missing"),
    (3, 20, "early_export"),
]
EXPLAINED = (
    BICH_DONG,
    3,
    "Một hồ sơ chứng thực nộp trực tuyến ngày cuối tháng, phần mềm ghi nhận nhưng chưa vào sổ theo dõi; "
    "đã bổ sung vào sổ tháng sau.",
)
PROBLEM_COMMENT = (
    "Tôi nộp hồ sơ đăng ký khai sinh cho con, được hẹn 3 lần vẫn chưa có kết quả. Lần nào cán bộ cũng "
    "yêu cầu bổ sung giấy tờ khác nhau, không có trong danh mục niêm yết tại bộ phận một cửa."
)
COMMENTS = [
    "Cán bộ hướng dẫn nhiệt tình, dễ hiểu.",
    "Giải quyết nhanh, đúng hẹn.",
    "Nên bố trí thêm ghế ngồi chờ vào buổi sáng thứ Hai.",
    "Thủ tục chứng thực nhanh gọn, thu phí đúng quy định.",
    "Mong có thêm hướng dẫn nộp hồ sơ trực tuyến cho người cao tuổi.",
    "Phòng một cửa sạch sẽ, thoáng mát.",
    "Phải chờ khá lâu vì chỉ có một cán bộ tiếp nhận.",
    "Bảng niêm yết thủ tục chữ nhỏ, khó đọc.",
    "Rất hài lòng với thái độ phục vụ.",
    "Nên có máy lấy số thứ tự.",
]
CONTACTS = ["09xx xxx 123", "nguoidan@example.vn", "Ông Nguyễn Văn A, thôn Đông"]
# Bích Động's objective read against the one-stop records (the indicator feed "on_time_rate").
FED_OBJECTIVE = (
    "100% hồ sơ TTHC tiếp nhận tại bộ phận một cửa được giải quyết đúng hoặc trước hạn",
    "Phó Chủ tịch UBND phụ trách cải cách hành chính",
)
FED_INDICATOR = {
    "name": "Tỷ lệ hồ sơ giải quyết đúng hạn",
    "unit_of_measure": "%",
    "target": 95,
    "direction": "at_least",
    "frequency": "monthly",
    "feed": "on_time_rate",
}
FED_MISSED = "Một số hồ sơ phải xác minh, bổ sung nên trễ hạn; đã gửi văn bản xin lỗi người dân."


def seed(stdout=None):
    started = time.monotonic()
    with transaction.atomic():
        _Demo(clock.today()).run()
        _committee_reads_surveys_in_admin()
    return summary() + f" ({time.monotonic() - started:.1f} s)"


def summary() -> str:
    today = clock.today()
    months = window(today)
    disagree = mismatches([u.pk for u in demo_units()], months[0], months[-1])
    settled = sum(1 for m in disagree if m.status != Reconciliation.Status.OPEN)
    return (
        f"Surveys: {Response.objects.count()} online responses, {Tally.objects.count()} tallies, "
        f"{RecordCount.objects.count()} record counts ({len(disagree)} months where the sources "
        f"disagree, {settled} explained or corrected)."
    )


def _committee_reads_surveys_in_admin():
    from django.contrib.auth.models import Permission

    from communes.demo import committee_group

    committee_group().permissions.add(
        *Permission.objects.filter(content_type__app_label="surveys", codename__startswith="view_")
    )


def demo_client_key(number: int) -> str:
    """The client key of the demo's n-th response: a hash of an invented name, never an address."""
    return hashlib.sha256(f"demo-citizen-{number}".encode()).hexdigest()


def demo_units():
    """The communes and wards of Việt Yên, the pilots first (as the other demos order them)."""
    district = Unit.objects.get(code_system="legacy", kind=Unit.Kind.DISTRICT, short_name=DISTRICT)
    return sorted(Unit.objects.filter(parent=district), key=lambda u: (u.code not in PILOT_CODES, u.code))


def window(today: datetime.date) -> list[datetime.date]:
    """The first days of the MONTHS full months before the month of `today`, oldest first."""
    this_month = today.replace(day=1)
    return [this_month - relativedelta(months=n) for n in range(MONTHS, 0, -1)]


def mismatch_months(units, today) -> dict[tuple[int, datetime.date], str]:
    """{(unit id, month): kind} of the deliberate mismatches."""
    by_code = {u.code: u for u in units}
    this_month = today.replace(day=1)
    result = {}
    for who, months_ago, kind in MISMATCHES:
        unit = by_code.get(who) if isinstance(who, str) else (units[who] if who < len(units) else None)
        if unit is not None:
            result[(unit.pk, this_month - relativedelta(months=months_ago))] = kind
    return result


class _Demo:
    def __init__(self, today):
        self.today = today
        self.units = demo_units()
        names = ["district", "bichdong", "ninhson"]
        users = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
        self.supervisor = users.get("district")
        self.officers = {BICH_DONG: users.get("bichdong"), NINH_SON: users.get("ninhson")}
        self.procedures = procedures_by_code(COUNTED_PROCEDURES)

    def writer(self, unit):
        return self.officers.get(unit.code) or self.supervisor

    def run(self):
        if not self.units:
            return
        self.record_counts()
        self.responses()
        self.tallies()
        self.fed_objective()

    # --- Record counts ----------------------------------------------------------------------
    @staticmethod
    def monthly(unit, month) -> dict:
        """The month's true counts of a unit, the same on every run."""
        rng = random.Random(f"records-{unit.code}-{month:%Y-%m}")
        busy = 1.4 if unit.kind == Unit.Kind.WARD else 1.0
        # Fewer files around Tết (January, February), more before the school year (August).
        season = {1: 0.8, 2: 0.7, 8: 1.2}.get(month.month, 1.0)
        received = int(rng.randint(60, 140) * busy * season)
        late = rng.choice([0, 0, 1, 1, 2, 3])
        pending = rng.randint(0, 4)
        returned = rng.choice([0, 0, 0, 1, 2])
        on_time = received - late - pending - returned
        return {
            "received": received,
            "on_time": on_time,
            "late": late,
            "pending": pending,
            "returned": returned,
        }

    def procedure_counts(self, unit, month, total) -> dict:
        rng = random.Random(f"records-{unit.code}-{month:%Y-%m}-procedures")
        rows = {}
        for code, share in COUNTED_PROCEDURES.items():
            procedure = self.procedures.get(code)
            if procedure is None:
                continue
            received = max(1, round(total["received"] * share * rng.uniform(0.8, 1.2)))
            late = min(total["late"], rng.choice([0, 0, 1])) if code == "1.001193" else 0
            pending = min(total["pending"], rng.choice([0, 1]))
            on_time = received - late - pending
            rows[procedure] = {
                "received": received,
                "on_time": on_time,
                "late": late,
                "pending": pending,
                "returned": 0,
            }
        return rows

    @staticmethod
    def distort(kind, counts, source) -> dict | None:
        """The counts `source` holds for a deliberate mismatch (None: no count at all)."""
        counts = dict(counts)
        if kind == "missing_entry" and source == RecordCount.Source.BOOK:
            counts["received"] -= 1
            counts["on_time"] -= 1
        elif kind == "late_as_on_time" and source == RecordCount.Source.BOOK:
            moved = max(counts["late"], 2)
            counts["late"] = max(counts["late"] - moved, 0)
            counts["on_time"] += moved
        elif kind == "book_missing" and source == RecordCount.Source.BOOK:
            return None
        elif kind == "early_export" and source == RecordCount.Source.SOFTWARE:
            counts["received"] += 3
            counts["pending"] += 3
        return counts

    def record_counts(self):
        existing = set(
            RecordCount.objects.filter(unit__in=self.units).values_list(
                "unit", "source", "procedure", "month"
            )
        )
        mismatches = mismatch_months(self.units, self.today)
        new = []
        for unit in self.units:
            writer = self.writer(unit)
            for month in window(self.today):
                total = self.monthly(unit, month)
                if mismatches.get((unit.pk, month)) == "late_as_on_time":
                    total["late"] += 2
                    total["on_time"] -= 2
                per_procedure = self.procedure_counts(unit, month, total)
                kind = mismatches.get((unit.pk, month))
                for source in RecordCount.Source.values:
                    counts = self.distort(kind, total, source) if kind else total
                    if counts is None:
                        continue
                    rows = [(None, counts), *per_procedure.items()]
                    for procedure, figures in rows:
                        key = (unit.pk, source, procedure.pk if procedure else None, month)
                        if key in existing:
                            continue
                        new.append(
                            RecordCount(
                                unit=unit,
                                source=source,
                                procedure=procedure,
                                month=month,
                                updated_by=writer,
                                **figures,
                            )
                        )
        if new:
            bulk_create_with_history(new, RecordCount, batch_size=500, default_user=None)
        code, months_ago, comment = EXPLAINED
        unit = next((u for u in self.units if u.code == code), None)
        month = self.today.replace(day=1) - relativedelta(months=months_ago)
        decided = self.writer(unit) if unit is not None else None
        if unit is not None and not Reconciliation.objects.filter(unit=unit, month=month).exists():
            decision = Reconciliation(
                unit=unit,
                month=month,
                status=Reconciliation.Status.EXPLAINED,
                comment=comment,
                decided_by=decided,
                decided_at=clock.now(),
            )
            bulk_create_with_history([decision], Reconciliation, default_user=decided)

    def fed_objective(self):
        """Bích Động's objective of the last counted month's year, its monthly on-time indicator
        fed by the record counts, measured a week after each month with the feed's figure, but
        the last counted month (waiting for the officer). Skipped when it exists."""
        unit = next((u for u in self.units if u.code == BICH_DONG), None)
        officer = self.officers.get(BICH_DONG)
        if unit is None or officer is None:
            return
        last = window(self.today)[-1]
        year = last.year
        if Indicator.objects.filter(
            objective__unit=unit, objective__year=year, feed=FED_INDICATOR["feed"]
        ).exists():
            return
        statement, owner = FED_OBJECTIVE
        with clock.as_of(datetime.date(year, 1, 5)):
            order = Objective.objects.filter(unit=unit, year=year).count() + 1
            objective = objective_services.objective_create(
                actor=officer, unit=unit, year=year, statement=statement, owner=owner, order=order
            )
            indicator = objective_services.indicator_create(
                actor=officer, objective=objective, order=1, **FED_INDICATOR
            )
        for month in range(1, last.month):
            start, end = indicator.period_bounds(year, month)
            value = on_time_rate(unit, None, start, end)
            if value is None:
                continue
            figures = on_time_rates([unit.pk], start, end)[unit.pk]
            comment = f"{figures.on_time}/{figures.resolved} hồ sơ đúng hạn (phần mềm một cửa)."
            if not indicator.passes(value):
                comment += " " + FED_MISSED
            with clock.as_of(end + datetime.timedelta(days=7)):
                objective_services.measurement_record(
                    actor=officer, indicator=indicator, period=month, value=value, comment=comment
                )

    # --- Online responses ------------------------------------------------------------------
    def responses(self):
        if Response.objects.filter(client_key=demo_client_key(0)).exists():
            return
        now = clock.now()
        this_month = self.today.replace(day=1)
        months = [this_month - relativedelta(months=n) for n in range(RESPONSE_MONTHS, 0, -1)]
        new = []
        number = 0
        for unit in self.units:
            rng = random.Random(f"responses-{unit.code}")
            quality = 0.93 if unit.code in PILOT_CODES else rng.uniform(0.72, 0.92)
            choices = list(survey_procedures(unit).filter(pk__in=[p.pk for p in self.procedures.values()]))
            choices += list(survey_procedures(unit).order_by("code")[:6])
            for month in months:
                count = rng.randint(5, 10) if unit.code in PILOT_CODES else rng.randint(0, 2)
                for _n in range(count):
                    day = rng.randint(1, 28)
                    moment = timezone.make_aware(
                        datetime.datetime(
                            month.year, month.month, day, rng.randint(7, 16), rng.randint(0, 59)
                        )
                    )
                    if moment >= now:
                        continue
                    ratings = self.ratings(rng, quality)
                    comment = rng.choice(COMMENTS) if rng.random() < 0.15 else ""
                    new.append(
                        Response(
                            unit=unit,
                            procedure=rng.choice(choices) if choices and rng.random() < 0.85 else None,
                            submitted_at=moment,
                            comment=comment,
                            contact=rng.choice(CONTACTS) if comment and rng.random() < 0.3 else "",
                            client_key=demo_client_key(number),
                            **ratings,
                        )
                    )
                    number += 1
        problem_unit = next((u for u in self.units if u.code == BICH_DONG), None)
        if problem_unit is not None:
            birth = self.procedures.get("1.001193")
            moment = timezone.make_aware(
                datetime.datetime.combine(months[-1] + datetime.timedelta(days=9), datetime.time(9, 40))
            )
            new.append(
                Response(
                    unit=problem_unit,
                    procedure=birth,
                    submitted_at=min(moment, now),
                    timeliness=1,
                    visits=1,
                    attitude=2,
                    information=1,
                    fees=3,
                    overall=1,
                    comment=PROBLEM_COMMENT,
                    contact="0912 000 111",
                    client_key=demo_client_key(number),
                )
            )
        Response.objects.bulk_create(new, batch_size=500)

    @staticmethod
    def ratings(rng, quality) -> dict:
        def one():
            if rng.random() < quality:
                return 5 if rng.random() < 0.55 else 4
            return rng.choice([3, 3, 3, 2, 1])

        ratings = {criterion: one() for criterion in CRITERIA}
        for criterion, skipped in (
            ("fees", 0.3),
            ("visits", 0.1),
            ("information", 0.15),
            ("timeliness", 0.05),
        ):
            if rng.random() < skipped:
                ratings[criterion] = None
        return ratings

    # --- Tallies ----------------------------------------------------------------------------
    def quarters(self):
        months = window(self.today)
        first, last = months[0], months[-1] + relativedelta(months=1) - datetime.timedelta(days=1)
        start = datetime.date(first.year, (first.month - 1) // 3 * 3 + 1, 1)
        if start < first:
            start += relativedelta(months=3)
        while True:
            end = start + relativedelta(months=3) - datetime.timedelta(days=1)
            if end > last:
                return
            yield start, end
            start += relativedelta(months=3)

    def tallies(self):
        existing = set(
            Tally.objects.filter(unit__in=self.units).values_list(
                "unit", "channel", "procedure", "criterion", "period_start", "period_end"
            )
        )
        new = []
        for unit in self.units:
            writer = self.writer(unit)
            channels = [(Tally.Channel.PAPER, CRITERIA)]
            if unit.code in PILOT_CODES:
                channels.append((Tally.Channel.DEVICE, ("overall",)))
            for start, end in self.quarters():
                for channel, criteria in channels:
                    for criterion in criteria:
                        key = (unit.pk, channel, None, criterion, start, end)
                        if key in existing:
                            continue
                        rng = random.Random(f"tally-{unit.code}-{channel}-{criterion}-{start}")
                        forms = (
                            rng.randint(20, 60) if channel == Tally.Channel.PAPER else rng.randint(80, 200)
                        )
                        counts = [0, 0, 0, 0, 0]  # 5..1
                        quality = 0.9 if unit.code in PILOT_CODES else 0.8
                        for _n in range(forms):
                            if rng.random() < quality:
                                counts[0 if rng.random() < 0.5 else 1] += 1
                            else:
                                counts[rng.choice([2, 2, 3, 4])] += 1
                        new.append(
                            Tally(
                                unit=unit,
                                channel=channel,
                                procedure=None,
                                criterion=criterion,
                                period_start=start,
                                period_end=end,
                                very_satisfied=counts[0],
                                satisfied=counts[1],
                                neutral=counts[2],
                                dissatisfied=counts[3],
                                very_dissatisfied=counts[4],
                                created_by=writer,
                            )
                        )
        if new:
            bulk_create_with_history(new, Tally, batch_size=500, default_user=None)
