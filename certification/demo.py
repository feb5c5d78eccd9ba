"""The certification part of `seed_demo`: the QMS of the Việt Yên units as it stood in early 2019.

- A QMS profile per commune and ward: TCVN ISO 9001:2015, its scope, the TTHC in scope (those
  its TTHC procedure documents serve, from the documents demo), the steering committee.
- Bích Động and Ninh Sơn (the 2017 pilot) announced under TCVN ISO 9001:2008 in September 2017
  and re-announced under 2015 (new standard version, mediator recognition added to the scope) in
  October 2018; the 2018 roll-out units announced under 2015 in November and December 2018.
  The district recognised every unit by decisions signed in January 2019, handed over at its
  review conference. The district's transition to the 2015 version, due 1 August 2019: all done.
- Quality objectives of 2018 (three per unit, one or two indicators each), measured for every
  period of 2018, copied into 2019 and measured for the first quarter (months: January and
  February); about one value in eight misses its target, with the reason. The supervisor
  flagged two 2019 indicators that measure effort or volume rather than the objective.
- The 2018 scoring round of the district: eight criteria worth 100 points, four computed by the
  system, four scored by hand; every unit self-scored in January 2019, the supervisor finalised
  (adjusting a few scores, with the reason), the committee approved in February. The 2019 round
  has the same criteria and its sheets opened, not yet scored.

Everything goes through the services, each step with the services' clock set to its day
(`core.clock.as_of`). The units whose officer has no demo account are kept by the district's ISO
staff (`district`). People's names and decision numbers are invented. A second run changes
nothing: each part is skipped when its records exist.
"""

import datetime
import random
import time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count

from certification.models import (
    Decision,
    Indicator,
    Measurement,
    Objective,
    QmsProfile,
    ScoreSheet,
    ScoringRound,
    StandardVersion,
    VersionTransition,
)
from certification.services import objectives, scoring, transitions
from certification.services import profile as profiles
from certification.versions import load_versions
from communes.demo import DISTRICT, PILOT_CODES
from communes.models import Unit
from core.clock import as_of
from documents import selectors as document_selectors

D = datetime.date
DAY = datetime.timedelta(days=1)
V2008, V2015 = "TCVN ISO 9001:2008", "TCVN ISO 9001:2015"
BICH_DONG, NINH_SON = "07777", "07798"
# Recognition of mediators: the TTHC the pilots added to their scope when they re-announced.
MEDIATORS_TTHC = "1.002211"
TRANSITION_DEADLINE = D(2019, 8, 1)
RECOGNISED_ON = D(2019, 1, 8)
FLAGGED_ON = D(2019, 2, 20)
SCORING_YEAR = 2018

# --- Profiles -------------------------------------------------------------------------------
FIELDS_ORDER = ["Hộ tịch", "Chứng thực", "Bảo trợ xã hội", "Hòa giải ở cơ sở"]
FAMILY_NAMES = ["Nguyễn", "Thân", "Trần", "Ngô", "Lê", "Dương", "Hoàng", "Vũ", "Đỗ", "Nguyễn"]
# middle name, given names: men and women
GIVEN_NAMES = [
    ("Văn", ["Hùng", "Thắng", "Cường", "Dũng", "Long", "Tuấn", "Quang", "Hải"]),
    ("Thị", ["Hương", "Mai", "Huyền", "Hạnh", "Thủy", "Lan", "Nga", "Thu"]),
]
# position on the committee, job; the ISO officer's line is added with the unit's officer.
COMMITTEE = [
    ("Chủ tịch UBND", "Trưởng ban"),
    ("Phó Chủ tịch UBND", "Phó Trưởng ban"),
    ("Công chức Tư pháp - Hộ tịch", "Thành viên"),
    ("Công chức Địa chính - Xây dựng", "Thành viên"),
]

# --- Objectives: (key, name, unit of measure, target, direction, frequency) ------------------
AT_LEAST, AT_MOST = Indicator.Direction.AT_LEAST, Indicator.Direction.AT_MOST
MONTHLY, QUARTERLY, YEARLY = (
    Indicator.Frequency.MONTHLY,
    Indicator.Frequency.QUARTERLY,
    Indicator.Frequency.YEARLY,
)
ON_TIME = ("on_time", "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn", "%", 100, AT_LEAST)
NO_APOLOGY = ("no_apology", "Số hồ sơ trễ hạn không có văn bản xin lỗi người dân", "hồ sơ", 0, AT_MOST)
RECEIVED = ("received", "Số hồ sơ TTHC tiếp nhận trong tháng", "hồ sơ", 150, AT_LEAST)
SATISFIED = ("satisfied", "Tỷ lệ phiếu khảo sát đánh giá hài lòng", "%", 90, AT_LEAST)
SATISFIED_YEAR = ("satisfied_year", "Kết quả khảo sát sự hài lòng của người dân cả năm", "%", 90, AT_LEAST)
FORMS_HANDED = ("forms_handed", "Số phiếu khảo sát phát ra cho người dân", "phiếu", 200, AT_LEAST)
COMPLAINTS = ("complaints", "Số phản ánh, khiếu nại về thái độ phục vụ", "lượt", 0, AT_MOST)
KEYS = {
    spec[1]: spec[0]
    for spec in (ON_TIME, NO_APOLOGY, RECEIVED, SATISFIED, SATISFIED_YEAR, FORMS_HANDED, COMPLAINTS)
}
# Where the demo's picture stands: early April 2019, the first quarter just measured.
PICTURE_DAY = D(2019, 4, 5)

# The two units whose indicator the supervisor flags, the indicator and why it does not fit.
FLAGS = {
    "07783": (  # Hồng Thái
        "received",
        "Số hồ sơ tiếp nhận phụ thuộc vào nhu cầu của người dân, không cho biết hồ sơ có được giải "
        "quyết đúng hạn hay không. Đề nghị thay bằng tỷ lệ hồ sơ giải quyết đúng hạn trên tổng số "
        "hồ sơ đến hạn trả kết quả.",
    ),
    "07759": (  # Thượng Lan
        "forms_handed",
        "Chỉ tiêu đo số phiếu phát ra (công sức bỏ ra), không đo mức độ hài lòng của người dân; "
        "đạt chỉ tiêu này không chứng minh được mục tiêu đã đạt. Đề nghị đo tỷ lệ phiếu đánh giá "
        "hài lòng trên tổng số phiếu thu về.",
    ),
}
# Why a period missed its target, per indicator (taken in turn).
MISSES = {
    "on_time": [
        "Công chức Tư pháp - Hộ tịch đi tập huấn 2 tuần, chưa phân công người thay thế; đã gửi văn "
        "bản xin lỗi người dân.",
        "Hồ sơ chứng thực liên quan đất đai phải xác minh nguồn gốc, quá thời hạn 1-2 ngày.",
        "Phần mềm một cửa điện tử gián đoạn 3 ngày, hồ sơ tiếp nhận tay chưa được cập nhật kịp.",
    ],
    "no_apology": ["Bộ phận một cửa chưa lập phiếu xin lỗi cho hồ sơ trễ hạn; đã chấn chỉnh."],
    "satisfied": [
        "Người dân chưa hài lòng về thời gian chờ tại bộ phận một cửa (thiếu máy lấy số thứ tự).",
        "Một số phiếu phản ánh niêm yết TTHC chưa cập nhật, người dân phải bổ sung hồ sơ nhiều lần.",
    ],
    "satisfied_year": ["Kết quả quý III thấp kéo tỷ lệ cả năm xuống dưới mục tiêu."],
    "complaints": [
        "01 phản ánh qua đường dây nóng về thái độ của công chức tiếp nhận; đã kiểm điểm, rút kinh nghiệm.",
    ],
}
MISS_RATE = 0.12

# --- Scoring: code, title, maximum points, computed source, how the evidence is gathered ------
CRITERIA = [
    (
        "1",
        "Thực hiện đánh giá nội bộ HTQLCL trong năm",
        10,
        "internal_audit",
        "Chương trình đánh giá nội bộ.",
    ),
    ("2", "Tổ chức xem xét của lãnh đạo trong năm", 10, "management_review", "Biên bản họp xem xét."),
    ("3", "Tỷ lệ TTHC được xây dựng quy trình ISO", 15, "tthc_coverage", "Danh mục TTHC và quy trình."),
    ("4", "Hoàn thành hành động khắc phục đúng hạn", 10, "overdue_actions", "Phiếu hành động khắc phục."),
    ("5", "Công bố HTQLCL phù hợp TCVN ISO 9001:2015 đúng hạn", 15, "", "Quyết định công bố."),
    ("6", "Duy trì, cải tiến HTQLCL", 20, "", "Mục tiêu chất lượng, hồ sơ đo lường, tài liệu cập nhật."),
    ("7", "Ứng dụng công nghệ thông tin trong vận hành HTQLCL", 10, "", "Phần mềm một cửa, hồ sơ điện tử."),
    ("8", "Tuyên truyền, phổ biến về HTQLCL", 10, "", "Niêm yết, hội nghị, trang thông tin điện tử."),
]
MANUAL = ["5", "6", "7", "8"]
# Final points of the criteria scored by hand (5, 6, 7, 8) per unit: a clear ranking, some ties.
FINAL_POINTS = {
    "07777": (15, 19, 9, 9),  # Bích Động
    "07798": (15, 18, 9, 8),  # Ninh Sơn
    "07795": (14, 17, 9, 8),  # Nếnh
    "07774": (14, 17, 8, 8),  # Tự Lạn
    "07783": (13, 16, 8, 8),  # Hồng Thái
    "07792": (14, 16, 8, 7),  # Quảng Minh
    "07789": (13, 16, 7, 8),  # Tăng Tiến
    "07801": (13, 15, 8, 8),  # Vân Trung
    "07807": (12, 15, 7, 7),  # Quang Châu
    "07771": (12, 15, 7, 6),  # Hương Mai
    "07786": (12, 14, 7, 7),  # Tiên Sơn
    "07762": (11, 14, 6, 7),  # Việt Tiến
    "07768": (11, 13, 6, 6),  # Minh Đức
    "07780": (10, 13, 6, 6),  # Trung Sơn
    "07804": (10, 12, 5, 6),  # Vân Hà
    "07765": (9, 12, 5, 5),  # Nghĩa Trung
    "07759": (9, 11, 5, 5),  # Thượng Lan
}
# Where the unit scored itself higher than the supervisor did: unit → {criterion: (self, why)}.
ADJUSTED = {
    "07795": {"6": (19, "Chưa cập nhật 02 quy trình theo TTHC sửa đổi trong thời hạn 3 tháng.")},
    "07783": {
        "6": (18, "Chỉ tiêu “số hồ sơ tiếp nhận” không đo được mục tiêu giải quyết đúng hạn."),
        "7": (9, "Hồ sơ ISO chưa được số hóa, mới dùng phần mềm một cửa."),
    },
    "07780": {"5": (13, "Công bố tháng 12/2018, chậm so với kế hoạch (trước 30/11/2018).")},
    "07759": {
        "6": (15, "Mục tiêu chất lượng có chỉ tiêu đo công sức thay vì kết quả; theo dõi chưa đầy đủ."),
        "8": (7, "Chưa niêm yết chính sách chất lượng tại bộ phận một cửa."),
    },
    "07804": {"7": (7, "Chưa tiếp nhận hồ sơ trực tuyến mức độ 3 như báo cáo.")},
}
# The district's plan: every roll-out unit announces by this day; the units that scored
# criterion 5 low announced in December.
ANNOUNCE_BY = D(2018, 11, 30)
# The officer's comment on a criterion scored by hand, by how well it did (≥ 90%, ≥ 70%, lower);
# criterion 5 (announcement) is commented from the unit's decision.
SELF_COMMENTS = {
    "6": (
        "Áp dụng đầy đủ các quy trình; mục tiêu chất lượng được đo lường, đánh giá định kỳ.",
        "Duy trì các quy trình; một số mục tiêu chưa được theo dõi đều đặn.",
        "Việc duy trì còn hạn chế, hồ sơ đo lường mục tiêu chưa đầy đủ.",
    ),
    "7": (
        "Sử dụng phần mềm một cửa điện tử, tiếp nhận hồ sơ trực tuyến mức độ 3, ký số văn bản.",
        "Sử dụng phần mềm một cửa điện tử; hồ sơ ISO còn lưu bản giấy.",
        "Ứng dụng CNTT còn ít; hồ sơ chủ yếu lưu giấy.",
    ),
    "8": (
        "Niêm yết chính sách chất lượng, phổ biến tại hội nghị cán bộ và trên trang thông tin điện tử.",
        "Niêm yết chính sách chất lượng tại trụ sở; phổ biến trong giao ban.",
        "Chưa tổ chức tuyên truyền riêng về HTQLCL.",
    ),
}


def seed(stdout=None):
    started = time.monotonic()
    with transaction.atomic():
        load_versions(StandardVersion)  # shipped by a data migration; back if a flush removed them
        _Demo().run()
        _committee_reads_qms_in_admin()
    return summary() + f" ({time.monotonic() - started:.1f} s)"


def summary() -> str:
    statuses = dict(QmsProfile.objects.order_by().values_list("status").annotate(n=Count("pk")))
    measurements = list(Measurement.objects.select_related("indicator"))
    failed = sum(1 for m in measurements if not m.passed)
    sheets = dict(
        ScoreSheet.objects.filter(round__year=SCORING_YEAR)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return (
        f"QMS: {QmsProfile.objects.count()} profiles ({statuses.get(QmsProfile.Status.ANNOUNCED, 0)} "
        f"announced), {Decision.objects.count()} decisions "
        f"({Decision.objects.filter(kind=Decision.Kind.RECOGNITION).count()} recognitions), "
        f"{VersionTransition.objects.count()} version transition, {Objective.objects.count()} objectives, "
        f"{Indicator.objects.count()} indicators ({Indicator.objects.filter(flagged=True).count()} flagged), "
        f"{len(measurements)} measurements ({failed} failing), {ScoringRound.objects.count()} scoring "
        f"rounds ({sheets.get(ScoreSheet.Status.APPROVED, 0)} sheets of {SCORING_YEAR} approved)."
    )


def _committee_reads_qms_in_admin():
    """The steering committee looks the QMS records up in the admin panel (read only)."""
    from django.contrib.auth.models import Permission

    from communes.demo import committee_group

    committee_group().permissions.add(
        *Permission.objects.filter(content_type__app_label="certification", codename__startswith="view_")
    )


def _people(seed_text: str, count: int) -> list[str]:
    """`count` invented names, no given name twice; the same ones on every run."""
    rng = random.Random(seed_text)
    names, given_names = [], set()
    while len(names) < count:
        middle, choices = rng.choice(GIVEN_NAMES)
        given = rng.choice(choices)
        if given not in given_names:
            given_names.add(given)
            names.append(f"{rng.choice(FAMILY_NAMES)} {middle} {given}")
    return names


def _ubnd(unit) -> str:
    """The people's committee of a unit as Vietnamese writes it: UBND phường Bích Động."""
    return f"UBND {unit.name[:1].lower()}{unit.name[1:]}"


def _fields(procedures) -> str:
    """The fields of the TTHC, in the usual order (any other field after them)."""
    fields = {p.field for p in procedures if p.field}
    ordered = [f for f in FIELDS_ORDER if f in fields] + sorted(fields - set(FIELDS_ORDER))
    return ", ".join(f.lower() for f in ordered)


def scope_statement(unit, version_code, procedures) -> str:
    # The design clause a commune excludes: 7.3 in the 2008 version, 8.3 in the 2015 version.
    excluded = (
        "7.3 (thiết kế và phát triển)"
        if version_code == V2008
        else "8.3 (thiết kế và phát triển sản phẩm và dịch vụ)"
    )
    return (
        f"Tiếp nhận, giải quyết và trả kết quả {len(procedures)} thủ tục hành chính thuộc thẩm quyền "
        f"của {_ubnd(unit)} tại bộ phận tiếp nhận và trả kết quả (một cửa), các lĩnh vực: "
        f"{_fields(procedures)}. Áp dụng {version_code}; không áp dụng điều khoản {excluded}."
    )


class _Demo:
    def __init__(self):
        names = ["district", "committee", "bichdong", "ninhson"]
        users = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
        self.supervisor, self.committee = users["district"], users["committee"]
        self.officers = {BICH_DONG: users["bichdong"], NINH_SON: users["ninhson"]}
        self.district = Unit.objects.get(code_system="legacy", kind=Unit.Kind.DISTRICT, short_name=DISTRICT)
        # The pilots first: they announced first and their decisions carry the lower numbers.
        self.units = sorted(
            Unit.objects.filter(parent=self.district), key=lambda u: (u.code not in PILOT_CODES, u.code)
        )
        self.versions = {v.code: v for v in StandardVersion.objects.filter(code__in=[V2008, V2015])}

    def writer(self, unit):
        """Who keeps the unit's records: its officer, or the district's ISO staff for the units
        whose officer has no account in the demo."""
        return self.officers.get(unit.code, self.supervisor)

    def run(self):
        if not QmsProfile.objects.filter(unit__in=self.units).exists():
            self.profiles()
        v2015 = self.versions[V2015]
        if not VersionTransition.objects.filter(unit=self.district, target_version=v2015).exists():
            with as_of(D(2018, 3, 1)):
                transitions.transition_create(
                    actor=self.supervisor,
                    unit=self.district,
                    target_version=v2015,
                    deadline=TRANSITION_DEADLINE,
                    note=(
                        "Các xã, phường công bố lại (hoặc công bố) HTQLCL phù hợp TCVN ISO 9001:2015 "
                        "trước ngày 01/8/2019, theo Kế hoạch cải cách hành chính của UBND thị xã."
                    ),
                )
        if not Objective.objects.filter(unit__in=self.units).exists():
            for index, unit in enumerate(self.units):
                self.objectives(index, unit)
            self.flag()
        if not ScoringRound.objects.filter(unit=self.district, year=SCORING_YEAR).exists():
            self.scoring_2018()
        if not ScoringRound.objects.filter(unit=self.district, year=SCORING_YEAR + 1).exists():
            self.scoring_2019()

    # --- Profiles and decisions -------------------------------------------------------------
    def announcement_days(self):
        """The roll-out units' announcement days: on time (November) for those that scored
        criterion 5 well, December for the others; three days apart."""
        rollout = [u for u in self.units if u.code not in PILOT_CODES]
        on_time = [u for u in rollout if FINAL_POINTS[u.code][0] >= 12]
        late = [u for u in rollout if FINAL_POINTS[u.code][0] < 12]
        days = {u.code: D(2018, 11, 2) + 3 * k * DAY for k, u in enumerate(on_time)}
        days |= {u.code: D(2018, 12, 3) + 3 * k * DAY for k, u in enumerate(late)}
        assert max(days[u.code] for u in on_time) <= ANNOUNCE_BY < min(days[u.code] for u in late)
        return days

    def profiles(self):
        announced = self.announcement_days()
        numbers = {
            code: f"{160 + 4 * k}/QĐ-UBND" for k, code in enumerate(sorted(announced, key=announced.get))
        }
        coverage = document_selectors.coverage_for_units(self.units)
        # The catalogue's TTHC, through the profile's own relation (documents.Procedure).
        procedure_model = QmsProfile._meta.get_field("procedures").related_model
        catalogue = {
            p.pk: p
            for p in procedure_model.objects.filter(
                pk__in=set().union(*[c.covered for c in coverage.values()])
            )
        }
        for index, unit in enumerate(self.units):
            procedures = sorted((catalogue[pk] for pk in coverage[unit.pk].covered), key=lambda p: p.code)
            if unit.code in PILOT_CODES:
                self.pilot_profile(index, unit, procedures)
            else:
                self.rollout_profile(index, unit, procedures, announced[unit.code], numbers[unit.code])
        for index, unit in enumerate(self.units):
            self.record(
                unit,
                self.supervisor,
                Decision.Kind.RECOGNITION,
                number=f"{12 + index}/QĐ-UBND",
                signed_on=RECOGNISED_ON,
                signer=f"Chủ tịch {_ubnd(self.district)}",
            )

    def members(self, unit) -> str:
        officer = self.officers.get(unit.code)
        *names, iso_officer = _people(unit.code, len(COMMITTEE) + 1)
        if officer is not None:
            iso_officer = f"{officer.last_name} {officer.first_name}"
        lines = [f"{name}, {job}, {role}" for name, (job, role) in zip(names, COMMITTEE, strict=True)]
        lines.insert(2, f"{iso_officer}, Công chức Văn phòng - Thống kê, Thư ký (phụ trách ISO)")
        # Four or five members: the smaller communes keep the committee to four.
        return "\n".join(lines if int(unit.code) % 2 else lines[:4])

    def record(self, unit, actor, kind, *, number, signed_on, signer, reason=""):
        """A decision as it was signed: with the profile's version, scope and TTHC of that day."""
        profile = QmsProfile.objects.select_related("standard_version").get(unit=unit)
        with as_of(signed_on):
            return profiles.decision_record(
                actor=actor,
                unit=unit,
                kind=kind,
                number=number,
                signed_on=signed_on,
                signer=signer,
                reason=reason,
                standard_version=profile.standard_version,
                scope_snapshot=profile.scope_statement,
                procedure_codes_snapshot=profiles.procedure_codes(profile.procedures.all()),
            )

    def pilot_profile(self, index, unit, procedures):
        """Announced under the 2008 version in 2017, re-announced under 2015 in October 2018."""
        writer, head = self.writer(unit), f"Chủ tịch {_ubnd(unit)}"
        first = [p for p in procedures if p.code != MEDIATORS_TTHC]
        with as_of(D(2017, 3, 20)):
            profile = profiles.profile_create(
                actor=writer,
                unit=unit,
                standard_version=self.versions[V2008],
                scope_statement=scope_statement(unit, V2008, first),
                procedures=first,
                steering_decision_number=f"{31 + index}/QĐ-UBND",
                steering_decision_date=D(2017, 3, 10 + index),
                steering_members=self.members(unit),
            )
        confirmed = D(2017, 9, 15 + index)
        with as_of(confirmed):
            profiles.profile_update(actor=writer, profile=profile, effective_confirmed_on=confirmed)
        self.record(
            unit,
            writer,
            Decision.Kind.ANNOUNCEMENT,
            number=f"{86 + index}/QĐ-UBND",
            signed_on=confirmed + 10 * DAY,
            signer=head,
        )
        reconfirmed = D(2018, 9, 28 + index)
        with as_of(reconfirmed):
            profiles.profile_update(
                actor=writer,
                profile=profile,
                standard_version=self.versions[V2015],
                scope_statement=scope_statement(unit, V2015, procedures),
                procedures=procedures,
                effective_confirmed_on=reconfirmed,
            )
        self.record(
            unit,
            writer,
            Decision.Kind.REANNOUNCEMENT,
            number=f"{152 + index}/QĐ-UBND",
            signed_on=reconfirmed + 7 * DAY,
            signer=head,
            reason=Decision.Reason.NEW_VERSION,
        )

    def rollout_profile(self, index, unit, procedures, announced, number):
        """Set up from March 2018, confirmed effective in the autumn, announced in Nov–Dec 2018."""
        writer = self.writer(unit)
        set_up = D(2018, 3, 12) + index * DAY
        with as_of(set_up + 5 * DAY):
            profile = profiles.profile_create(
                actor=writer,
                unit=unit,
                standard_version=self.versions[V2015],
                scope_statement=scope_statement(unit, V2015, procedures),
                procedures=procedures,
                steering_decision_number=f"{40 + index}/QĐ-UBND",
                steering_decision_date=set_up,
                steering_members=self.members(unit),
            )
        confirmed = announced - 12 * DAY
        with as_of(confirmed):
            profiles.profile_update(actor=writer, profile=profile, effective_confirmed_on=confirmed)
        self.record(
            unit,
            writer,
            Decision.Kind.ANNOUNCEMENT,
            number=number,
            signed_on=announced,
            signer=f"Chủ tịch {_ubnd(unit)}",
        )

    # --- Objectives, indicators, measurements ---------------------------------------------
    def plan(self, index, unit):
        """The unit's 2018 objectives: [(statement, owner, [(spec, frequency)])]."""
        on_time = [(ON_TIME, MONTHLY if index % 2 == 0 else QUARTERLY)]
        if unit.code == "07783":
            on_time.append((RECEIVED, MONTHLY))
        elif index % 3 == 0:
            on_time.append((NO_APOLOGY, QUARTERLY))
        satisfied = [(FORMS_HANDED if unit.code == "07759" else SATISFIED, QUARTERLY)]
        if index % 2 == 1:
            satisfied.append((SATISFIED_YEAR, YEARLY))
        complaints = [(COMPLAINTS, QUARTERLY if index % 2 == 0 else YEARLY)]
        return [
            (
                "100% hồ sơ TTHC được giải quyết đúng hoặc trước hạn",
                "Phó Chủ tịch UBND phụ trách cải cách hành chính",
                on_time,
            ),
            (
                "Mức độ hài lòng của người dân đối với việc giải quyết TTHC đạt từ 90% trở lên",
                "Công chức Văn phòng - Thống kê",
                satisfied,
            ),
            (
                "Không có phản ánh, khiếu nại về thái độ phục vụ của cán bộ, công chức",
                "Chủ tịch UBND",
                complaints,
            ),
        ]

    def objectives(self, index, unit):
        writer = self.writer(unit)
        with as_of(D(2018, 1, 10) if unit.code in PILOT_CODES else D(2018, 3, 25)):
            for order, (statement, owner, indicators) in enumerate(self.plan(index, unit), start=1):
                objective = objectives.objective_create(
                    actor=writer, unit=unit, year=2018, statement=statement, owner=owner, order=order
                )
                for position, ((_key, name, measure, target, direction), frequency) in enumerate(
                    indicators, start=1
                ):
                    objectives.indicator_create(
                        actor=writer,
                        objective=objective,
                        name=name,
                        unit_of_measure=measure,
                        target=target,
                        direction=direction,
                        frequency=frequency,
                        order=position,
                    )
        self.measure(unit, 2018)
        with as_of(D(2019, 1, 7)):
            objectives.objectives_copy(actor=writer, unit=unit, year=2019)
        self.measure(unit, 2019)

    def measure(self, unit, year):
        """Every period of `year` whose figures were in by the picture's day: the one-stop desk's
        monthly report comes a week after the month, the quarterly and yearly ones four days after
        the period (2019: January, February and the first quarter; March is not due yet)."""
        writer = self.writer(unit)
        turn = 0
        indicators = Indicator.objects.filter(objective__unit=unit, objective__year=year)
        for indicator in indicators.select_related("objective").order_by("objective__order", "order"):
            key = KEYS[indicator.name]
            for period in range(1, indicator.period_count + 1):
                _start, end = indicator.period_bounds(year, period)
                recorded_on = end + (7 if indicator.frequency == MONTHLY else 4) * DAY
                if recorded_on > PICTURE_DAY:
                    break
                value, comment = self.value(unit, key, year, period, turn)
                turn += 1
                with as_of(recorded_on):
                    objectives.measurement_record(
                        actor=writer, indicator=indicator, period=period, value=value, comment=comment
                    )

    def value(self, unit, key, year, period, turn):
        """A realistic value; about one in eight misses its target, with the reason."""
        rng = random.Random(f"{unit.code}/{key}/{year}/{period}")
        misses = key in MISSES and rng.random() < MISS_RATE
        reason = MISSES[key][turn % len(MISSES[key])] if misses else ""
        if key == "on_time":
            files = rng.randint(60, 180)
            late = rng.randint(1, 4) if misses else 0
            value = Decimal(100 * (files - late)) / files
            comment = f"{files - late}/{files} hồ sơ đúng hạn." + (f" {reason}" if reason else "")
            return value.quantize(Decimal("0.01")), comment
        if key in ("no_apology", "complaints"):
            return (rng.randint(1, 2) if misses else 0), reason
        if key in ("satisfied", "satisfied_year"):
            value = rng.uniform(84, 89.5) if misses else rng.uniform(90.5, 98)
            return Decimal(f"{value:.1f}"), reason
        if key == "received":
            return rng.randint(150, 230), ""
        # forms_handed: always met, which is why it tells nothing of the objective.
        return rng.randint(205, 260), ""

    def flag(self):
        """The supervisor reviews the 2019 objectives and flags two indicators."""
        names = {"received": RECEIVED[1], "forms_handed": FORMS_HANDED[1]}
        with as_of(FLAGGED_ON):
            for code, (key, comment) in FLAGS.items():
                indicator = Indicator.objects.get(
                    objective__unit__code=code,
                    objective__unit__parent=self.district,
                    objective__year=2019,
                    name=names[key],
                )
                objectives.indicator_flag(actor=self.supervisor, indicator=indicator, comment=comment)

    # --- Scoring --------------------------------------------------------------------------
    def scoring_2018(self):
        with as_of(D(2018, 11, 20)):
            scoring_round = scoring.round_create(
                actor=self.supervisor,
                unit=self.district,
                year=SCORING_YEAR,
                self_score_due=D(2019, 1, 15),
                commend_top=3,
                support_bottom=3,
            )
            for order, (code, title, points, source, evidence) in enumerate(CRITERIA, start=1):
                scoring.criterion_create(
                    actor=self.supervisor,
                    scoring_round=scoring_round,
                    code=code,
                    title=title,
                    max_points=points,
                    source=source,
                    evidence=evidence,
                    order=order,
                )
        with as_of(D(2018, 12, 20)):
            scoring.round_open_sheets(actor=self.supervisor, scoring_round=scoring_round)
        criteria = {c.code: c for c in scoring_round.criteria.all()}
        sheets = {s.unit.code: s for s in scoring_round.sheets.select_related("unit")}
        for index, unit in enumerate(self.units):
            self.self_score(sheets[unit.code], unit, criteria, D(2019, 1, 3) + (index % 10) * DAY)
        for index, unit in enumerate(self.units):
            self.finalise(sheets[unit.code], unit, criteria, D(2019, 1, 21) + (index % 5) * DAY)
        with as_of(D(2019, 2, 15)):
            scoring.round_approve(actor=self.committee, scoring_round=scoring_round)

    def self_score(self, sheet, unit, criteria, day):
        writer = self.writer(unit)
        final = dict(zip(MANUAL, FINAL_POINTS[unit.code], strict=True))
        adjusted = ADJUSTED.get(unit.code, {})
        claimed = {code: adjusted.get(code, (points, ""))[0] for code, points in final.items()}
        scores = {}
        for code, points in claimed.items():
            if code == "5":
                comment = self.announcement_comment(unit, points < criteria[code].max_points)
            else:
                share = points / criteria[code].max_points
                tier = 0 if share >= Decimal("0.9") else 1 if share >= Decimal("0.7") else 2
                comment = SELF_COMMENTS[code][tier]
            scores[criteria[code].pk] = (points, comment)
        with as_of(day):
            scoring.sheet_self_score(actor=writer, sheet=sheet, scores=scores)
            scoring.sheet_submit(actor=writer, sheet=sheet)

    @staticmethod
    def announcement_comment(unit, short_of_full):
        decision = Decision.objects.filter(
            unit=unit, kind__in=Decision.ANNOUNCING, superseded_by__isnull=True
        ).first()
        verb = "Công bố lại" if decision.kind == Decision.Kind.REANNOUNCEMENT else "Công bố"
        comment = f"{verb} HTQLCL phù hợp TCVN ISO 9001:2015 theo Quyết định số {decision.number} ngày {decision.signed_on:%d/%m/%Y}"
        if decision.signed_on > ANNOUNCE_BY:
            comment += f", chậm so với kế hoạch (trước {ANNOUNCE_BY:%d/%m/%Y})"
        if short_of_full:
            comment += "; hồ sơ công bố phải bổ sung theo ý kiến của Ban Chỉ đạo ISO"
        return comment + "."

    def finalise(self, sheet, unit, criteria, day):
        adjusted = ADJUSTED.get(unit.code, {})
        final = dict(zip(MANUAL, FINAL_POINTS[unit.code], strict=True))
        scores = {criteria[code].pk: (final[code], why) for code, (_claimed, why) in adjusted.items()}
        remarks = (
            "Điều chỉnh điểm một số tiêu chí theo kết quả kiểm tra hồ sơ của Phòng Nội vụ."
            if adjusted
            else "Thống nhất kết quả tự chấm của đơn vị."
        )
        with as_of(day):
            scoring.sheet_finalise(actor=self.supervisor, sheet=sheet, scores=scores, remarks=remarks)

    def scoring_2019(self):
        """The 2019 round: the same criteria, the sheets open for self-scoring until January 2020."""
        with as_of(D(2019, 3, 1)):
            scoring_round = scoring.round_create(
                actor=self.supervisor,
                unit=self.district,
                year=SCORING_YEAR + 1,
                self_score_due=D(2020, 1, 15),
                commend_top=3,
                support_bottom=3,
            )
            scoring.criteria_copy(actor=self.supervisor, scoring_round=scoring_round)
            scoring.round_open_sheets(actor=self.supervisor, scoring_round=scoring_round)
