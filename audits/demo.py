"""The audits part of `seed_demo`: two years of internal audits in Việt Yên, their findings and
corrective actions, a management review per unit and the province's inspections.

- 2018 and 2019 programmes of the district fan out one audit per commune and ward, planned over
  the year; the lead auditor is `auditor`; the two pilot officers audit each other's unit
  (`ninhson` on Bích Động's audit, `bichdong` on Ninh Sơn's) and the fan-out keeps each off
  their own unit's audit (§9.2.2 b). They sit on the team as observers: findings are written by
  the lead auditor, who holds the auditor role.
- The pilots' audits are deep (about twenty clauses); most others cover only a handful of
  clauses, so the complaint that audits are shallow shows in the depth figures.
- 2018 audits are closed: every nonconformity's action was verified effective (one after a
  first "not effective" verdict). 2019 audits have their report issued (actions verified,
  done awaiting verification, or planned and long overdue) or are still in progress.
- A management review per unit in December 2019, its §9.3.2 inputs prefilled from the figures
  of that day, with one or two outputs; some raise an action.
- The province inspected Bích Động in October 2019 (two findings, report sent in time), and
  Ninh Sơn about two and a half months before the services' today (in seed_demo, the district's last
  day), whose corrective-action report, due two months after the minutes, is overdue.

Everything goes through the services, each step with the services' clock set to its day
(`core.clock.as_of`). The decision numbers of the inspections are invented. A second run changes
nothing: each part is skipped when its records exist.
"""

import datetime
import time

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count

from audits.models import (
    Audit,
    AuditProgramme,
    ChecklistItem,
    Clause,
    CorrectiveAction,
    Finding,
    Inspection,
    ManagementReview,
    Nonconformity,
    ReviewOutput,
)
from audits.services import actions, audits, inspections, reviews
from communes.demo import DISTRICT, PILOT_CODES
from communes.models import Unit
from core import clock
from core.clock import as_of

D = datetime.date
DAY = datetime.timedelta(days=1)
BICH_DONG, NINH_SON = "07777", "07798"
YEARS = (2018, 2019)

# Questions of the checklist per clause (ISO 9001:2015 as applied in a commune's one-stop desk).
QUESTIONS = {
    "4.1": ["Các vấn đề nội bộ và bên ngoài ảnh hưởng đến HTQLCL đã được xác định chưa?"],
    "4.2": ["Đã xác định các bên quan tâm (người dân, doanh nghiệp, cơ quan cấp trên) và yêu cầu của họ?"],
    "4.3": [
        "Phạm vi HTQLCL đã được xác định và công bố chưa?",
        "Các yêu cầu không áp dụng của tiêu chuẩn có được giải thích rõ?",
    ],
    "4.4": ["Các quá trình giải quyết TTHC đã được xác định và có quy trình đầy đủ?"],
    "5.1": ["Lãnh đạo UBND có trực tiếp chỉ đạo việc duy trì HTQLCL?"],
    "5.2": ["Chính sách chất lượng có được phổ biến, niêm yết tại trụ sở?"],
    "5.3": ["Trách nhiệm, quyền hạn của Ban Chỉ đạo ISO có được phân công bằng văn bản?"],
    "6.1": ["Rủi ro và cơ hội của các quá trình đã được xác định và có biện pháp xử lý?"],
    "6.2": ["Mục tiêu chất lượng năm có được thiết lập, đo lường được và theo dõi định kỳ?"],
    "7.1": ["Cơ sở vật chất, trang thiết bị của bộ phận một cửa có đáp ứng yêu cầu?"],
    "7.2": ["Công chức phụ trách ISO và công chức một cửa đã được đào tạo về TCVN ISO 9001:2015?"],
    "7.5": [
        "Tài liệu có được kiểm soát, phân phối bản hiện hành?",
        "Hồ sơ có được lưu trữ, bảo quản theo thời hạn quy định?",
    ],
    "8.2": ["Thành phần hồ sơ, thời hạn và phí, lệ phí TTHC có được niêm yết công khai?"],
    "8.3": ["Đơn vị có hoạt động thiết kế và phát triển dịch vụ không?"],
    "8.5": [
        "Hồ sơ TTHC có được tiếp nhận, giải quyết đúng hạn?",
        "Phiếu kiểm soát quá trình giải quyết hồ sơ có được ghi đầy đủ?",
    ],
    "8.7": ["Hồ sơ giải quyết sai, trễ hạn có được xử lý và có văn bản xin lỗi người dân?"],
    "9.1": ["Có khảo sát sự hài lòng của người dân và tổng hợp kết quả định kỳ?"],
    "9.2": ["Đánh giá nội bộ có được thực hiện theo kế hoạch, ít nhất một lần trong năm?"],
    "9.3": ["Lãnh đạo có tổ chức họp xem xét HTQLCL và lưu biên bản?"],
    "10.2": ["Điểm không phù hợp lần trước có được khắc phục và xác định nguyên nhân gốc?"],
}
DEEP = list(QUESTIONS)
# The clauses a shallow audit looks at first: the ones the district insists on.
SHALLOW = ["8.5", "7.5", "4.3", "9.1", "6.2", "5.2", "10.2", "9.2"]
NOT_APPLICABLE = {"8.3"}  # a commune designs no service (the usual exclusion of §8.3)

MAJOR, MINOR = Finding.Kind.MAJOR, Finding.Kind.MINOR
OBSERVATION, IMPROVEMENT = Finding.Kind.OBSERVATION, Finding.Kind.IMPROVEMENT
# kind, clause, description, evidence — taken in turn, when the clause is in the audit's checklist.
FINDINGS = [
    (
        MINOR,
        "7.5",
        "Tài liệu lỗi thời (quy trình ban hành lần 1) còn được sử dụng tại bộ phận một cửa.",
        "Bản QT-TTHC-03 lần ban hành 1 để tại bàn tiếp nhận; bản hiện hành là lần ban hành 2.",
    ),
    (
        MAJOR,
        "8.5",
        "Nhiều hồ sơ TTHC giải quyết quá hạn nhưng không có văn bản xin lỗi người dân.",
        "Sổ theo dõi hồ sơ quý II: 7/42 hồ sơ hộ tịch trả kết quả quá hạn, không có phiếu xin lỗi.",
    ),
    (
        OBSERVATION,
        "4.3",
        "Phạm vi HTQLCL niêm yết tại trụ sở chưa cập nhật các TTHC mới được công bố.",
        "Bảng niêm yết phạm vi áp dụng tại trụ sở UBND, lập năm 2017.",
    ),
    (
        MINOR,
        "9.1",
        "Chưa tổng hợp, phân tích kết quả khảo sát sự hài lòng của người dân.",
        "Phiếu khảo sát quý I và quý II còn lưu nguyên, chưa có báo cáo tổng hợp.",
    ),
    (
        IMPROVEMENT,
        "9.1",
        "Có thể bổ sung hình thức đánh giá sự hài lòng trực tuyến qua mã QR tại bàn tiếp nhận.",
        "",
    ),
    (
        MINOR,
        "6.2",
        "Mục tiêu chất lượng năm chưa được theo dõi, đánh giá kết quả định kỳ.",
        "Không có báo cáo đánh giá mục tiêu chất lượng 6 tháng đầu năm.",
    ),
    (OBSERVATION, "5.2", "Bản chính sách chất lượng niêm yết đã mờ, khó đọc.", "Quan sát tại sảnh UBND."),
    (
        MINOR,
        "10.2",
        "Hành động khắc phục lần trước chưa xác định nguyên nhân gốc.",
        "Phiếu yêu cầu hành động khắc phục số 02 chỉ ghi biện pháp xử lý tức thời.",
    ),
    (IMPROVEMENT, "7.5", "Nên số hóa hồ sơ lưu trữ để tra cứu nhanh hơn.", ""),
]
# root cause, action — for the nonconformity of a finding's clause.
ACTIONS = {
    "7.5": (
        "Khi ban hành bản mới chưa thu hồi bản cũ tại các bộ phận.",
        "Thu hồi toàn bộ bản lỗi thời; bổ sung bước thu hồi và đóng dấu “Tài liệu lỗi thời” vào quy "
        "trình kiểm soát tài liệu.",
    ),
    "8.5": (
        "Chưa có công chức thay thế khi công chức tư pháp - hộ tịch đi học; không theo dõi hạn xử lý.",
        "Phân công công chức dự phòng; rà soát sổ theo dõi hằng tuần; gửi văn bản xin lỗi cho hồ sơ trễ hạn.",
    ),
    "9.1": (
        "Chưa phân công người tổng hợp phiếu khảo sát.",
        "Giao Văn phòng - Thống kê tổng hợp phiếu khảo sát hằng quý, báo cáo Ban Chỉ đạo ISO.",
    ),
    "6.2": (
        "Mục tiêu chất lượng đặt ra chưa có chỉ số đo lường cụ thể.",
        "Sửa đổi mục tiêu chất lượng với chỉ số đo lường; đánh giá 6 tháng và cả năm.",
    ),
    "10.2": (
        "Công chức chưa được hướng dẫn phân tích nguyên nhân.",
        "Tập huấn phương pháp 5 câu hỏi “Tại sao”; lập lại phiếu hành động khắc phục.",
    ),
}
FIVE_WHYS = [
    "Vì sao hồ sơ trễ hạn? Công chức hộ tịch vắng mặt hai tuần.",
    "Vì sao không ai xử lý thay? Chưa phân công người dự phòng.",
    "Vì sao chưa phân công? Quy chế làm việc không quy định việc thay thế.",
]

INSPECTION_2019 = {
    "decision_number": "125/QĐ-SKHCN",
    "decision_date": D(2019, 10, 1),
    "planned_on": D(2019, 10, 15),
    "signed_on": D(2019, 10, 16),
    "submitted_on": D(2019, 12, 5),
    "team": "Đoàn kiểm tra Sở Khoa học và Công nghệ tỉnh Bắc Giang (Trưởng đoàn: Phó Giám đốc Sở)",
    "findings": [
        ("6.2", "Mục tiêu chất lượng năm 2019 chưa có kế hoạch thực hiện cụ thể."),
        ("7.5", "Một số quy trình chưa được cập nhật theo TTHC mới công bố năm 2019."),
    ],
}
RECENT_DECISION = "214/QĐ-SKHCN"


from audits.clauses import load_clauses  # noqa: E402


def seed(stdout=None):
    started = time.monotonic()
    with transaction.atomic():
        load_clauses(Clause)
        _Demo().run()
        _committee_reads_audits_in_admin()
    return summary() + f" ({time.monotonic() - started:.1f} s)"


def summary() -> str:
    audit_states = dict(Audit.objects.order_by().values_list("state").annotate(n=Count("pk")))
    return (
        f"Audits: {AuditProgramme.objects.count()} programmes, {Audit.objects.count()} audits "
        f"({audit_states.get(Audit.State.CLOSED, 0)} closed, {audit_states.get(Audit.State.REPORT_ISSUED, 0)} "
        f"report issued, {audit_states.get(Audit.State.IN_PROGRESS, 0)} in progress), "
        f"{Finding.objects.count()} findings, {Nonconformity.objects.count()} nonconformities "
        f"({Nonconformity.objects.filter(status=Nonconformity.Status.OPEN).count()} open), "
        f"{CorrectiveAction.objects.count()} actions "
        f"({CorrectiveAction.objects.filter(state='planned', due_on__lt=clock.today()).count()} overdue), "
        f"{ManagementReview.objects.count()} management reviews, {Inspection.objects.count()} inspections."
    )


def _committee_reads_audits_in_admin():
    """The steering committee looks audits and actions up in the admin panel (read only)."""
    from django.contrib.auth.models import Permission

    from communes.demo import committee_group

    committee_group().permissions.add(
        *Permission.objects.filter(content_type__app_label="audits", codename__startswith="view_")
    )


class _Demo:
    def __init__(self):
        users = {u.username: u for u in get_user_model().objects.all()}
        self.district_user, self.auditor = users["district"], users["auditor"]
        self.officers = {BICH_DONG: users["bichdong"], NINH_SON: users["ninhson"]}
        self.district = Unit.objects.get(code_system="legacy", kind=Unit.Kind.DISTRICT, short_name=DISTRICT)
        # The pilots first: their audits open each year's programme.
        self.units = sorted(
            Unit.objects.filter(parent=self.district), key=lambda u: (u.code not in PILOT_CODES, u.code)
        )
        self.clauses = {c.code: c for c in Clause.objects.all()}
        self.finding_turn = 0
        self.retried = False

    def run(self):
        if not AuditProgramme.objects.filter(unit=self.district, year=YEARS[0]).exists():
            for year in YEARS:
                self.programme(year)
        if not ManagementReview.objects.filter(unit__in=self.units).exists():
            for index, unit in enumerate(self.units):
                self.review(index, unit)
        if not Inspection.objects.filter(decision_number=INSPECTION_2019["decision_number"]).exists():
            self.inspection_2019()
        if not Inspection.objects.filter(decision_number=RECENT_DECISION).exists():
            self.recent_inspection()

    # --- People ---------------------------------------------------------------------------
    def writer(self, unit):
        """Who keeps the unit's records: its officer, or the district's ISO staff for the units
        whose officer has no account in the demo."""
        return self.officers.get(unit.code, self.district_user)

    def verifier(self, action):
        return self.auditor if action.owner_id != self.auditor.pk else self.district_user

    # --- Programmes and audits ---------------------------------------------------------------
    def programme(self, year):
        with as_of(D(year, 1, 15)):
            programme = audits.programme_create(
                actor=self.district_user,
                unit=self.district,
                year=year,
                title=f"Chương trình đánh giá nội bộ HTQLCL năm {year}",
                objectives=(
                    "Đánh giá sự phù hợp của HTQLCL theo TCVN ISO 9001:2015 và hiệu lực của việc giải "
                    "quyết TTHC tại các xã, thị trấn; mỗi đơn vị ít nhất một lần trong năm."
                ),
                month=D(year, 6, 1),
                lead_auditor=self.auditor,
                team=[self.officers[BICH_DONG], self.officers[NINH_SON]],
            )
            by_unit = {a.unit_id: a for a in programme.audits.all()}
            for index, unit in enumerate(self.units):
                audit = by_unit[unit.pk]
                # Spread over the year: the pilots first, then the others month by month.
                first, months = (4, 8) if year == 2018 else (3, 10)
                month = first + (index * months) // len(self.units)
                by_unit[unit.pk] = audits.audit_plan(
                    actor=self.district_user,
                    audit=audit,
                    planned_month=D(year, month, 1),
                    clauses=[self.clauses[c] for c in self.clause_codes(unit, index, year)],
                    processes="Tiếp nhận và trả kết quả TTHC tại bộ phận một cửa; kiểm soát tài liệu, hồ sơ.",
                )
        for index, unit in enumerate(self.units):
            self.conduct(by_unit[unit.pk], index, year)

    def clause_codes(self, unit, index, year):
        if unit.code in PILOT_CODES:
            return DEEP
        # Shallow audits: three to eight clauses, a little deeper the second year.
        return SHALLOW[: 3 + (index + (year - 2018) * 2) % 6]

    def conduct(self, audit, index, year):
        lead = self.auditor
        start = audit.planned_month + 9 * DAY
        in_progress = year == 2019 and audit.planned_month.month >= 11
        with as_of(start):
            audit = audits.audit_start(actor=lead, audit=audit)
            if year == 2019 and audit.unit.code in PILOT_CODES:
                # The pilots reuse last year's checklist, answers reset (then add a question).
                audits.checklist_copy_previous(actor=lead, audit=audit)
                audits.checklist_add(
                    actor=lead,
                    audit=audit,
                    clause=self.clauses["8.5"],
                    question="Hồ sơ TTHC trực tuyến mức độ 3, 4 có được tiếp nhận và xử lý đúng hạn?",
                )
            else:
                for code in audit.scope_clauses.values_list("code", flat=True):
                    for question in QUESTIONS[code]:
                        audits.checklist_add(
                            actor=lead, audit=audit, clause=self.clauses[code], question=question
                        )
            items = list(audit.checklist.select_related("clause"))
            findings = self.findings_for(audit, {i.clause.code for i in items}, index)
            if in_progress:
                findings = findings[:1]  # the audit has just begun
            nonconforming = {code for kind, code, *_rest in findings if kind in Finding.NONCONFORMITIES}
            answered = items[: len(items) // 2] if in_progress else items
            for item in answered:
                code = item.clause.code
                if code in NOT_APPLICABLE:
                    answer, evidence = (
                        ChecklistItem.Answer.NOT_APPLICABLE,
                        "Đơn vị không thiết kế dịch vụ mới.",
                    )
                elif code in nonconforming and item.position == 0:
                    answer, evidence = ChecklistItem.Answer.NONCONFORMING, "Xem phát hiện đánh giá."
                else:
                    answer, evidence = ChecklistItem.Answer.CONFORMING, "Đã xem hồ sơ, phỏng vấn công chức."
                audits.checklist_answer(actor=lead, item=item, answer=answer, evidence=evidence)
            raised = []
            for kind, code, description, evidence in findings:
                item = next((i for i in items if i.clause.code == code and i.position == 0), None)
                finding = audits.finding_raise(
                    actor=lead,
                    audit=audit,
                    kind=kind,
                    clause=self.clauses[code],
                    description=description,
                    evidence=evidence,
                    checklist_item=item,
                )
                if kind in Finding.NONCONFORMITIES:
                    raised.append(finding.nonconformity)
        if in_progress:
            for nc in raised:
                self.plan_action(nc, due_on=start + 60 * DAY, day=start + 5 * DAY)
            return
        with as_of(start + 5 * DAY):
            audits.audit_issue_report(
                actor=lead,
                audit=audit,
                conclusion=(
                    f"HTQLCL của {audit.unit.name} được duy trì, cơ bản phù hợp TCVN ISO 9001:2015; "
                    f"{len(raised)} điểm không phù hợp cần khắc phục."
                    if raised
                    else f"HTQLCL của {audit.unit.name} phù hợp và được duy trì có hiệu lực."
                ),
            )
        for turn, nc in enumerate(raised):
            self.act_on(nc, start, year, index + turn)
        if year == 2018:
            with as_of(start + 60 * DAY):
                audits.audit_close(actor=self.district_user, audit=audit)

    def findings_for(self, audit, codes, index):
        """The next findings of the bank whose clause the audit looked at: more for the pilots."""
        wanted = 4 if audit.unit.code in PILOT_CODES else index % 3
        chosen = []
        candidates = [f for f in FINDINGS if f[1] in codes]
        for k in range(len(candidates)):
            if len(chosen) == wanted:
                break
            chosen.append(candidates[(self.finding_turn + k) % len(candidates)])
        self.finding_turn += 1
        return chosen

    # --- Corrective actions ---------------------------------------------------------------------
    def plan_action(self, nc, due_on, day, five_whys=()):
        root_cause, text = ACTIONS.get(nc.clause.code if nc.clause else "", ACTIONS["10.2"])
        with as_of(day):
            return actions.action_add(
                actor=self.writer(nc.unit),
                nonconformity=nc,
                correction="Khắc phục ngay trường hợp cụ thể được phát hiện.",
                root_cause=root_cause,
                five_whys=five_whys,
                action=text,
                owner=self.writer(nc.unit),
                due_on=due_on,
            )

    def finish(self, action, done_on):
        with as_of(done_on):
            return actions.action_done(actor=self.writer(action.nonconformity.unit), action=action)

    def verify(self, action, day, effective=True):
        with as_of(day):
            return actions.action_verify(
                actor=self.verifier(action),
                action=action,
                effective=effective,
                evidence=(
                    "Kiểm tra lại hồ sơ, tài liệu sau khắc phục: không còn lặp lại."
                    if effective
                    else "Kiểm tra lại: vẫn còn 2 hồ sơ trễ hạn trong tháng sau khắc phục."
                ),
            )

    def act_on(self, nc, start, year, turn):
        """2018: every action verified effective (one after a first failure) so audits close.
        2019: verified effective, done awaiting verification, or planned and overdue, in turn."""
        five_whys = FIVE_WHYS if nc.clause and nc.clause.code == "8.5" else ()
        action = self.plan_action(nc, due_on=start + 40 * DAY, day=start + 7 * DAY, five_whys=five_whys)
        if year == 2018:
            action = self.finish(action, start + 25 * DAY)
            if nc.unit.code == BICH_DONG and not self.retried:
                # The first fix did not hold: a "not effective" verdict and a second action.
                self.retried = True
                self.verify(action, start + 30 * DAY, effective=False)
                action = self.plan_action(
                    nc, due_on=start + 55 * DAY, day=start + 31 * DAY, five_whys=five_whys
                )
                action = self.finish(action, start + 45 * DAY)
            self.verify(action, start + 50 * DAY)
            return
        stage = turn % 3
        if stage == 0:
            self.verify(self.finish(action, start + 25 * DAY), start + 35 * DAY)
        elif stage == 1:
            self.finish(action, start + 30 * DAY)
        # stage 2: still planned, long past its due date.

    # --- Management reviews -------------------------------------------------------------------
    def review(self, index, unit):
        held_on = D(2019, 12, 16) + (index % 10) * DAY
        writer = self.writer(unit)
        with as_of(held_on):
            review = reviews.review_record(
                actor=writer,
                unit=unit,
                held_on=held_on,
                chair=f"Chủ tịch UBND {unit.name}",
                attendees="Ban Chỉ đạo ISO; công chức Văn phòng - Thống kê; công chức bộ phận một cửa.",
                conclusion="HTQLCL phù hợp, được duy trì; cần tập trung khắc phục hồ sơ trễ hạn.",
                input_changes="Luật, nghị định mới về cơ chế một cửa (Nghị định 61/2018/NĐ-CP).",
                input_objectives="Tỷ lệ hồ sơ giải quyết đúng hạn đạt 97%, mục tiêu 98%.",
                input_resources="Bộ phận một cửa thiếu máy scan và máy lấy số thứ tự.",
                input_risks="Rủi ro trễ hạn khi công chức vắng mặt đã có phân công dự phòng.",
                input_improvement="Tiếp nhận hồ sơ trực tuyến mức độ 3, 4.",
                **reviews.prefilled_inputs(unit, today=held_on),
            )
            raise_action = unit.code in PILOT_CODES or index % 3 == 0
            output = reviews.review_add_output(
                actor=writer,
                review=review,
                kind=ReviewOutput.Kind.IMPROVEMENT,
                decision="Triển khai khảo sát sự hài lòng của người dân bằng mã QR tại bộ phận một cửa.",
                raise_action=raise_action,
            )
            if index % 2 == 0:
                reviews.review_add_output(
                    actor=writer,
                    review=review,
                    kind=ReviewOutput.Kind.RESOURCES,
                    decision="Đề nghị UBND huyện hỗ trợ máy scan cho bộ phận một cửa.",
                )
        if raise_action and unit.code in PILOT_CODES:
            self.plan_action(output.nonconformity, due_on=D(2020, 3, 31), day=held_on + 3 * DAY)

    # --- Inspections -----------------------------------------------------------------------------
    def inspect(self, unit, year, decision_number, decision_date, planned_on, team, signed_on, findings):
        with as_of(decision_date):
            (inspection,) = inspections.inspection_plan(
                actor=self.district_user,
                units=[unit],
                year=year,
                planned_on=planned_on,
                decision_number=decision_number,
                decision_date=decision_date,
                team=team,
            )
        with as_of(signed_on):
            inspection = inspections.inspection_sign_minutes(
                actor=self.district_user,
                inspection=inspection,
                signed_on=signed_on,
                findings=[(self.clauses[code], text) for code, text in findings],
            )
        return inspection

    def inspection_2019(self):
        spec = INSPECTION_2019
        unit = next(u for u in self.units if u.code == BICH_DONG)
        inspection = self.inspect(
            unit,
            2019,
            spec["decision_number"],
            spec["decision_date"],
            spec["planned_on"],
            spec["team"],
            spec["signed_on"],
            spec["findings"],
        )
        ncs = list(Nonconformity.objects.filter(inspection_finding__inspection=inspection).order_by("pk"))
        signed = spec["signed_on"]
        first = self.finish(
            self.plan_action(ncs[0], due_on=D(2019, 12, 1), day=signed + 5 * DAY), D(2019, 11, 20)
        )
        self.verify(first, D(2019, 12, 10))
        self.finish(self.plan_action(ncs[1], due_on=D(2019, 12, 1), day=signed + 5 * DAY), D(2019, 11, 28))
        with as_of(spec["submitted_on"]):
            inspections.inspection_report_submitted(
                actor=self.writer(unit), inspection=inspection, submitted_on=spec["submitted_on"]
            )

    def recent_inspection(self):
        """Minutes signed about 2.5 months ago and no report yet: the 2-month deadline is past."""
        signed = clock.today() - datetime.timedelta(days=75)
        unit = next(u for u in self.units if u.code == NINH_SON)
        inspection = self.inspect(
            unit,
            signed.year,
            RECENT_DECISION,
            signed - 20 * DAY,
            signed - DAY,
            "Đoàn kiểm tra Sở Khoa học và Công nghệ tỉnh Bắc Giang",
            signed,
            [
                ("7.5", "Danh mục tài liệu nội bộ chưa cập nhật các quy trình sửa đổi trong năm."),
                ("9.1", "Chưa công khai kết quả đánh giá sự hài lòng của người dân trên trang thông tin."),
            ],
        )
        nc = Nonconformity.objects.filter(inspection_finding__inspection=inspection).order_by("pk").first()
        self.plan_action(nc, due_on=inspection.report_due_on, day=signed + 3 * DAY)
