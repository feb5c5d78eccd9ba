"""The documents part of `seed_demo`: the TTHC catalogue, the legal register and the document set
of every commune and ward of Việt Yên, with the history a real QMS would have.

The catalogue, the framework model and its adoptions, the two pilot units' documents (prepared
by their officers), the amended TTHC with its update tasks and the work in progress all go
through the services, so states, review dates, files and tasks are what the application itself
produces. The other fifteen units' plain documents are written in bulk as the same rows (a test
compares the two), which keeps `seed_demo` within a few seconds.

The services date approvals "today"; the demo's issues happened over the last three years, so
each step runs with the services' clock set to its day (`_on`). Dates are relative to today,
never fixed, so the demo stays current. A second run changes nothing.

TTHC codes are the national codes of the procedures named (national TTHC database); the
announcing decision of the demo is invented and its number says so (`DEMO-`)."""

import datetime
import hashlib
import unicodedata
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from communes.demo import DISTRICT, PILOT_CODES
from communes.models import Unit
from core import clock
from core.text import fold
from documents.models import (
    DecisionItem,
    Document,
    LegalDocument,
    Procedure,
    ProcedureDecision,
    ReviewRecord,
    Revision,
    RevisionFile,
    UpdateTask,
)
from documents.services import catalogue, lifecycle

Kind = Document.Kind
LAW, DECREE, DECISION, CIRCULAR = (
    LegalDocument.Kind.LAW,
    LegalDocument.Kind.DECREE,
    LegalDocument.Kind.DECISION,
    LegalDocument.Kind.CIRCULAR,
)
D = datetime.date

# number, kind, issuer, title, signed on, effective on — real documents only.
LEGAL_DOCUMENTS = [
    ("60/2014/QH13", LAW, "Quốc hội", "Luật Hộ tịch", D(2014, 11, 20), D(2016, 1, 1)),
    (
        "123/2015/NĐ-CP",
        DECREE,
        "Chính phủ",
        "Nghị định quy định chi tiết một số điều và biện pháp thi hành Luật Hộ tịch",
        D(2015, 11, 15),
        D(2016, 1, 1),
    ),
    (
        "04/2020/TT-BTP",
        CIRCULAR,
        "Bộ Tư pháp",
        "Thông tư quy định chi tiết thi hành một số điều của Luật Hộ tịch và Nghị định số 123/2015/NĐ-CP",
        D(2020, 5, 28),
        D(2020, 7, 16),
    ),
    (
        "23/2015/NĐ-CP",
        DECREE,
        "Chính phủ",
        "Nghị định về cấp bản sao từ sổ gốc, chứng thực bản sao từ bản chính, chứng thực chữ ký "
        "và chứng thực hợp đồng, giao dịch",
        D(2015, 2, 16),
        D(2015, 4, 10),
    ),
    ("51/2010/QH12", LAW, "Quốc hội", "Luật Người khuyết tật", D(2010, 6, 17), D(2011, 1, 1)),
    (
        "28/2012/NĐ-CP",
        DECREE,
        "Chính phủ",
        "Nghị định quy định chi tiết và hướng dẫn thi hành một số điều của Luật Người khuyết tật",
        D(2012, 4, 10),
        D(2012, 6, 1),
    ),
    ("35/2013/QH13", LAW, "Quốc hội", "Luật Hòa giải ở cơ sở", D(2013, 6, 20), D(2014, 1, 1)),
    (
        "61/2018/NĐ-CP",
        DECREE,
        "Chính phủ",
        "Nghị định về thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính",
        D(2018, 4, 23),
        D(2018, 6, 21),
    ),
    (
        "19/2014/QĐ-TTg",
        DECISION,
        "Thủ tướng Chính phủ",
        "Quyết định về việc áp dụng Hệ thống quản lý chất lượng theo Tiêu chuẩn quốc gia TCVN ISO "
        "9001:2008 vào hoạt động của các cơ quan, tổ chức thuộc hệ thống hành chính nhà nước",
        D(2014, 3, 5),
        D(2014, 4, 20),
    ),
    (
        "26/2014/TT-BKHCN",
        CIRCULAR,
        "Bộ Khoa học và Công nghệ",
        "Thông tư quy định chi tiết thi hành Quyết định số 19/2014/QĐ-TTg",
        D(2014, 10, 10),
        D(2014, 12, 1),
    ),
    (
        "101/QĐ-BKHCN",
        DECISION,
        "Bộ Khoa học và Công nghệ",
        "Quyết định công bố Mô hình khung hệ thống quản lý chất lượng theo Tiêu chuẩn quốc gia TCVN "
        "ISO 9001:2015 cho các cơ quan, tổ chức thuộc hệ thống hành chính nhà nước tại địa phương",
        D(2019, 1, 21),
        D(2019, 1, 21),
    ),
]
HO_TICH = ["60/2014/QH13", "123/2015/NĐ-CP", "04/2020/TT-BTP"]
CHUNG_THUC = ["23/2015/NĐ-CP"]
QMS_BASES = ["19/2014/QĐ-TTg", "26/2014/TT-BKHCN", "101/QĐ-BKHCN"]

# Commune-level TTHC: national code, name, field, legal bases. The unit's procedure documents
# are QT-TTHC-01… in this order; the last one only the two pilot units have written so far
# (a coverage gap everywhere else).
PROCEDURES = [
    ("1.001193", "Đăng ký khai sinh", "Hộ tịch", HO_TICH),
    ("1.000894", "Đăng ký kết hôn", "Hộ tịch", HO_TICH),
    ("1.000656", "Đăng ký khai tử", "Hộ tịch", HO_TICH),
    ("1.001022", "Đăng ký nhận cha, mẹ, con", "Hộ tịch", HO_TICH),
    ("1.004837", "Đăng ký giám hộ", "Hộ tịch", HO_TICH),
    (
        "1.004859",
        "Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc",
        "Hộ tịch",
        HO_TICH,
    ),
    ("1.004873", "Cấp Giấy xác nhận tình trạng hôn nhân", "Hộ tịch", HO_TICH),
    ("1.004884", "Đăng ký lại khai sinh", "Hộ tịch", HO_TICH),
    ("2.000635", "Cấp bản sao Trích lục hộ tịch", "Hộ tịch", HO_TICH),
    (
        "2.000815",
        "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có thẩm quyền của "
        "Việt Nam cấp hoặc chứng nhận",
        "Chứng thực",
        CHUNG_THUC,
    ),
    (
        "2.000884",
        "Chứng thực chữ ký trong các giấy tờ, văn bản (áp dụng cho cả trường hợp chứng thực điểm "
        "chỉ và trường hợp người yêu cầu chứng thực không thể ký, không thể điểm chỉ được)",
        "Chứng thực",
        CHUNG_THUC,
    ),
    (
        "1.001699",
        "Xác định, xác định lại mức độ khuyết tật và cấp Giấy xác nhận khuyết tật",
        "Bảo trợ xã hội",
        ["51/2010/QH12", "28/2012/NĐ-CP"],
    ),
    ("1.002211", "Công nhận hòa giải viên", "Hòa giải ở cơ sở", ["35/2013/QH13"]),
]
PILOT_ONLY_TTHC = "1.002211"
COMMUNE_KINDS = (Unit.Kind.COMMUNE, Unit.Kind.WARD, Unit.Kind.TOWN)

MODEL_CODE = "QT-HT-01"
SYSTEM_PROCEDURES = [
    (MODEL_CODE, "Quy trình kiểm soát tài liệu"),
    ("QT-HT-02", "Quy trình kiểm soát hồ sơ"),
    ("QT-HT-03", "Quy trình đánh giá nội bộ"),
    ("QT-HT-04", "Quy trình xem xét của lãnh đạo"),
    ("QT-HT-05", "Quy trình kiểm soát sự không phù hợp và hành động khắc phục"),
    ("QT-HT-06", "Quy trình quản lý rủi ro và cơ hội"),
    ("QT-HT-07", "Quy trình đo lường sự hài lòng và giải quyết khiếu nại của người dân"),
]
# The one unit for which the district's document-control model is not applicable.
OWN_DOCUMENT_CONTROL = "07804"  # Xã Vân Hà
NOT_APPLICABLE_REASON = (
    "UBND xã đã ban hành quy trình kiểm soát tài liệu riêng, gắn với phần mềm quản lý văn bản "
    "và điều hành của xã; Ban Chỉ đạo ISO thị xã đồng ý giữ quy trình này."
)
# Units that have not yet taken the model's second issue into their own (an overdue task).
MODEL_LAGGARDS = {"07759", "07780", "07807"}  # Thượng Lan, Trung Sơn, Quang Châu

DECISION_NUMBER = "DEMO-01/QĐ-UBND"
AMENDED_TTHC = "1.001193"


def seed(stdout=None):
    started = timezone.now()
    with transaction.atomic():
        _Demo().run()
        _committee_reads_documents_in_admin()
    seconds = (timezone.now() - started).total_seconds()
    return summary() + f" ({seconds:.1f} s)"


def _committee_reads_documents_in_admin():
    """The steering committee looks documents and tasks up in the admin panel (read only)."""
    from django.contrib.auth.models import Permission

    from communes.demo import committee_group

    committee_group().permissions.add(
        *Permission.objects.filter(content_type__app_label="documents", codename__startswith="view_")
    )


def summary() -> str:
    documents = Document.objects.all()
    return (
        f"Documents: {documents.count()} in {documents.order_by().values('unit').distinct().count()} units, "
        f"{Revision.objects.count()} issues, {Procedure.objects.count()} TTHC, "
        f"{LegalDocument.objects.count()} legal documents, "
        f"{UpdateTask.objects.filter(status=UpdateTask.Status.OPEN).count()} open update tasks."
    )


@dataclass
class Spec:
    """A document of the demo: its register data and its issues [(effective day, summary)]."""

    code: str
    title: str
    kind: str
    tthc: tuple = ()
    issues: list = field(default_factory=list)


def _issue_pdf(document, number) -> bytes:
    return minimal_pdf(document.title, [document.unit.name, f"{document.code} - lần ban hành {number}"])


def _on(day: datetime.date):
    """Run the lifecycle services as if today were `day` (demo history only)."""
    return lifecycle.as_of(day)


class _Demo:
    def __init__(self):
        User = get_user_model()
        users = {u.username: u for u in User.objects.filter(username__in=["district", "committee"])}
        self.supervisor, self.approver = users["district"], users["committee"]
        self.officers = {
            code: User.objects.get(username=username)
            for code, username in (("07777", "bichdong"), ("07798", "ninhson"))
        }
        self.today = clock.today()
        self.district = Unit.objects.get(code_system="legacy", kind=Unit.Kind.DISTRICT, short_name=DISTRICT)
        self.units = list(Unit.objects.filter(parent=self.district).order_by("code"))

    # --- catalogue -------------------------------------------------------------------------
    def catalogue(self):
        legal = {
            d.number: d for d in LegalDocument.objects.filter(number__in=[r[0] for r in LEGAL_DOCUMENTS])
        }
        for number, kind, issuer, title, signed_on, effective_on in LEGAL_DOCUMENTS:
            if number not in legal:
                legal[number] = catalogue.legal_document_register(
                    actor=self.supervisor,
                    legal_document=LegalDocument(
                        number=number,
                        kind=kind,
                        issuer=issuer,
                        title=title,
                        signed_on=signed_on,
                        effective_on=effective_on,
                    ),
                )
        self.legal = legal
        existing = {p.code: p for p in Procedure.objects.filter(code__in=[r[0] for r in PROCEDURES])}
        for code, name, field_name, bases in PROCEDURES:
            if code in existing:
                continue
            procedure = catalogue.procedure_save(
                actor=self.supervisor,
                procedure=Procedure(code=code, name=name, field=field_name, level=Procedure.Level.COMMUNE),
                legal_bases=[legal[n] for n in bases],
            )
            catalogue.applicability_set(actor=self.supervisor, procedure=procedure, unit_kinds=COMMUNE_KINDS)
            existing[code] = procedure
        self.procedures = existing
        self.bases = {code: bases for code, _name, _field, bases in PROCEDURES}

    # --- one document through its issues, by the services ----------------------------------
    def preparer(self, unit):
        return self.officers.get(unit.code, self.supervisor)

    def issue(self, revision, day, author):
        """Attach the issue's PDF, send it and have it approved on `day` (in force that day)."""
        document = revision.document
        with _on(day):
            lifecycle.revision_attach_file(
                actor=author,
                revision=revision,
                upload=SimpleUploadedFile(
                    f"{document.code}-{revision.number}.pdf", _issue_pdf(document, revision.number)
                ),
            )
            lifecycle.revision_submit(actor=author, revision=revision)
            lifecycle.revision_approve(actor=self.approver, revision=revision)
        document.refresh_from_db()
        return revision

    def create(self, unit, spec: "Spec", is_model=False):
        author = self.supervisor if is_model else self.preparer(unit)
        (first_day, first_summary), *later = spec.issues
        with _on(first_day):
            document = lifecycle.document_create(
                actor=author,
                unit=unit,
                code=spec.code,
                title=spec.title,
                kind=spec.kind,
                owner=author,
                procedures=[self.procedures[c] for c in spec.tthc],
                legal_bases=[self.legal[n] for n in self.bases_of(spec)],
                change_summary=first_summary,
                is_model=is_model,
            )
        self.issue(document.revisions.get(), first_day, author)
        for day, summary in later:
            self.reissue(document, day, summary)
        document.refresh_from_db()
        return document

    def reissue(self, document, day, summary):
        author = self.supervisor if document.is_model else self.preparer(document.unit)
        with _on(day):
            revision = lifecycle.revision_start(actor=author, document=document, change_summary=summary)
        return self.issue(revision, day, author)

    def review(self, document, day, note="Tài liệu còn phù hợp, tiếp tục áp dụng."):
        with _on(day):
            lifecycle.document_review(
                actor=self.preparer(document.unit),
                document=document,
                reviewed_on=day,
                outcome=ReviewRecord.Outcome.VALID,
                note=note,
            )

    def bases_of(self, spec):
        if not spec.tthc:
            return QMS_BASES
        return [n for code in spec.tthc for n in self.bases[code]] + ["61/2018/NĐ-CP"]

    # --- the plain documents of the other units, in bulk -----------------------------------
    def bulk(self, unit, specs):
        """The rows `create` would leave for these documents, written in a few bulk queries.

        Fifteen units of plain documents through the full workflow would make the demo take
        ten seconds; the result is the same (tests/documents/test_demo.py compares them):
        the issues prepared by the district's ISO staff, approved by the committee, the last
        one in force, the earlier ones superseded, a PDF with its sha256 on each.
        """
        author, approver = self.supervisor, self.approver
        documents = bulk_create_with_history(
            [
                Document(
                    unit=unit,
                    code=spec.code,
                    title=spec.title,
                    kind=spec.kind,
                    owner=author,
                    status=Document.Status.EFFECTIVE,
                    next_review_on=spec.issues[-1][0] + relativedelta(months=12),
                    search_text=fold(" ".join([spec.code, spec.title, *spec.tthc])),
                )
                for spec in specs
            ],
            Document,
        )
        Document.procedures.through.objects.bulk_create(
            [
                Document.procedures.through(document=d, procedure=self.procedures[code])
                for d, spec in zip(documents, specs, strict=True)
                for code in spec.tthc
            ]
        )
        Document.legal_bases.through.objects.bulk_create(
            [
                Document.legal_bases.through(document=d, legaldocument=self.legal[number])
                for d, spec in zip(documents, specs, strict=True)
                for number in self.bases_of(spec)
            ]
        )
        revisions = []
        for document, spec in zip(documents, specs, strict=True):
            for number, (day, summary) in enumerate(spec.issues, start=1):
                following = spec.issues[number][0] if number < len(spec.issues) else None
                revisions.append(
                    Revision(
                        document=document,
                        number=number,
                        change_summary=summary,
                        state=Revision.State.SUPERSEDED if following else Revision.State.EFFECTIVE,
                        prepared_by=author,
                        reviewed_by=approver,
                        approved_by=approver,
                        approved_on=day,
                        effective_from=day,
                        superseded_on=following,
                    )
                )
        revisions = bulk_create_with_history(revisions, Revision)
        files = []
        for revision in revisions:
            pdf = _issue_pdf(revision.document, revision.number)
            attached = RevisionFile(
                revision=revision,
                original_name=f"{revision.document.code}-{revision.number}.pdf",
                file_type="pdf",
                size=len(pdf),
                sha256=hashlib.sha256(pdf).hexdigest(),
                uploaded_by=author,
            )
            attached.file.save("upload", ContentFile(pdf), save=False)
            files.append(attached)
        RevisionFile.objects.bulk_create(files)

    # --- the demo --------------------------------------------------------------------------
    def run(self):
        self.catalogue()
        if Document.objects.filter(unit=self.district, code=MODEL_CODE).exists():
            return  # the document set is there already: a re-run changes nothing
        today = self.today
        model_v1, model_v2 = today - relativedelta(years=3), today - relativedelta(months=4)
        model = self.create(
            self.district,
            Spec(
                MODEL_CODE,
                "Quy trình kiểm soát tài liệu (mô hình khung)",
                Kind.SYSTEM_PROCEDURE,
                issues=[(model_v1, "Ban hành mô hình khung theo Quyết định số 101/QĐ-BKHCN.")],
            ),
            is_model=True,
        )
        adopted = {}
        for index, unit in enumerate(self.units):
            set_up = model_v1 + relativedelta(months=1, days=index)
            specs = self.plan(unit, index, set_up)
            if unit.code in PILOT_CODES:
                for spec in specs:
                    self.create(unit, spec)
            else:
                self.bulk(unit, specs)
            adopted[unit.code] = self.answer_model(unit, model, set_up)
        # The model's second issue reaches every adopter as a review task (3 months).
        self.reissue(
            model,
            model_v2,
            "Bổ sung kiểm soát tài liệu điện tử, chữ ký số trên hệ thống quản lý văn bản.",
        )
        for index, unit in enumerate(self.units):
            document = adopted[unit.code]
            if document is None or unit.code in MODEL_LAGGARDS:
                continue
            self.reissue(
                document,
                model_v2 + datetime.timedelta(days=10 + 3 * index),
                "Cập nhật theo lần ban hành 2 của mô hình khung (tài liệu điện tử, chữ ký số).",
            )
        self.amend_birth_registration()
        self.work_in_progress()

    def plan(self, unit, index, set_up) -> list["Spec"]:
        """The unit's policy, objectives, system and TTHC procedures with their issues.

        Most are in force since an issue of the past year (the annual review); one per unit
        is past its review date. The document-control procedure comes from the model.
        """
        today = self.today
        last_year, this_year = min(D(today.year - 1, 1, 10), today), min(D(today.year, 1, 10), today)
        specs = [
            Spec(
                "CSCL",
                "Chính sách chất lượng",
                Kind.QUALITY_POLICY,
                issues=[
                    (set_up, "Ban hành lần đầu."),
                    (
                        today - relativedelta(months=6 + index % 4),
                        "Cập nhật chính sách chất lượng theo kế hoạch cải cách hành chính giai đoạn mới.",
                    ),
                ],
            ),
            Spec(
                "MTCL",
                f"Mục tiêu chất lượng năm {today.year}",
                Kind.QUALITY_OBJECTIVES,
                issues=[
                    (last_year, f"Mục tiêu chất lượng năm {today.year - 1}."),
                    (this_year, f"Mục tiêu chất lượng năm {today.year}."),
                ],
            ),
        ]
        if unit.code == OWN_DOCUMENT_CONTROL:
            specs.append(
                Spec(
                    MODEL_CODE,
                    "Quy trình kiểm soát tài liệu",
                    Kind.SYSTEM_PROCEDURE,
                    issues=[(set_up, "Ban hành lần đầu.")],
                )
            )
        plain = [(code, title, Kind.SYSTEM_PROCEDURE, ()) for code, title in SYSTEM_PROCEDURES[1:]]
        for number, (code, name, _field, _bases) in enumerate(PROCEDURES, start=1):
            if code == PILOT_ONLY_TTHC and unit.code not in PILOT_CODES:
                continue
            title = f"Quy trình {name[:1].lower()}{name[1:]}"
            plain.append((f"QT-TTHC-{number:02d}", title, Kind.TTHC_PROCEDURE, (code,)))
        overdue = (index * 7 + 3) % len(plain)
        for position, (code, title, kind, tthc) in enumerate(plain):
            months_ago = 14 if position == overdue else 1 + (index * 5 + position * 3) % 11
            day = today - relativedelta(months=months_ago, days=index)
            specs.append(Spec(code, title, kind, tthc, [(day, "Ban hành theo TCVN ISO 9001:2015.")]))
        return specs

    def answer_model(self, unit, model, set_up):
        """The unit adopts the district's model (its own QT-HT-01), or says why it does not.

        Returns the unit's adopted document (None where the model is not applicable).
        """
        author = self.preparer(unit)
        if unit.code == OWN_DOCUMENT_CONTROL:
            lifecycle.model_not_applicable(
                actor=author, model_document=model, unit=unit, reason=NOT_APPLICABLE_REASON
            )
            return None
        with _on(set_up):
            adopted = lifecycle.model_adopt(actor=author, model_document=model, unit=unit).document
        self.issue(adopted.revisions.get(), set_up, author)
        if unit.code in MODEL_LAGGARDS:
            self.review(adopted, self.today - relativedelta(months=13))
        return adopted

    def amend_birth_registration(self):
        """A provincial decision amending birth registration, in force since last month."""
        today = self.today
        effective_on = today - relativedelta(months=1)
        decision = catalogue.decision_save(
            actor=self.supervisor,
            decision=ProcedureDecision(
                number=DECISION_NUMBER,
                issuer="UBND tỉnh Bắc Giang",
                title="Công bố thủ tục hành chính được sửa đổi, bổ sung lĩnh vực hộ tịch "
                "(quyết định minh hoạ của bản demo)",
                signed_on=effective_on - datetime.timedelta(days=7),
                effective_on=effective_on,
            ),
        )
        catalogue.decision_add_item(
            actor=self.supervisor,
            decision=decision,
            procedure=self.procedures[AMENDED_TTHC],
            change=DecisionItem.Change.AMEND,
            note="Sửa đổi thành phần hồ sơ; thực hiện liên thông khai sinh, thường trú, cấp thẻ BHYT.",
        )
        # Bích Động has already revised its procedure: its task is done.
        bich_dong = Document.objects.get(unit__code="07777", unit__code_system="legacy", code="QT-TTHC-01")
        self.reissue(
            bich_dong,
            today - datetime.timedelta(days=7),
            f"Cập nhật theo Quyết định {DECISION_NUMBER}.",
        )

    def work_in_progress(self):
        """A few issues on their way: a draft, one in review, one approved for next year."""
        today = self.today
        documents = {
            (d.unit.code, d.code): d
            for d in Document.objects.filter(
                unit__code__in=PILOT_CODES, unit__code_system="legacy"
            ).select_related("unit")
        }
        bichdong, ninhson = self.officers["07777"], self.officers["07798"]
        lifecycle.revision_start(
            actor=bichdong,
            document=documents[("07777", "QT-HT-05")],
            change_summary="Bổ sung bước phân tích nguyên nhân gốc trước khi đề xuất hành động khắc phục.",
        )
        lifecycle.revision_start(
            actor=ninhson,
            document=documents[("07798", "QT-TTHC-01")],
            change_summary=f"Cập nhật theo Quyết định {DECISION_NUMBER}.",
        )
        in_review = lifecycle.revision_start(
            actor=ninhson,
            document=documents[("07798", "QT-TTHC-03")],
            change_summary="Rút ngắn thời gian giải quyết, tiếp nhận hồ sơ trực tuyến toàn trình.",
        )
        lifecycle.revision_attach_file(
            actor=ninhson,
            revision=in_review,
            upload=SimpleUploadedFile(
                "QT-TTHC-03-2.pdf", minimal_pdf(in_review.document.title, ["Dự thảo lần ban hành 2"])
            ),
        )
        lifecycle.revision_submit(actor=ninhson, revision=in_review)
        objectives = documents[("07798", "MTCL")]
        next_year = lifecycle.revision_start(
            actor=ninhson, document=objectives, change_summary=f"Mục tiêu chất lượng năm {today.year + 1}."
        )
        lifecycle.revision_attach_file(
            actor=ninhson,
            revision=next_year,
            upload=SimpleUploadedFile(
                "MTCL-next.pdf",
                minimal_pdf(f"Mục tiêu chất lượng năm {today.year + 1}", [objectives.unit.name]),
            ),
        )
        lifecycle.revision_submit(actor=ninhson, revision=next_year)
        # In force on 1 January: the daily task brings it into force then.
        lifecycle.revision_approve(
            actor=self.approver, revision=next_year, effective_from=D(today.year + 1, 1, 1)
        )


# --- a small valid PDF, generated (no external files) ---------------------------------------
def _ascii(text: str) -> str:
    """The text without diacritics (the 14 standard PDF fonts have no Vietnamese glyphs)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    plain = plain.encode("ascii", "replace").decode("ascii")
    return plain.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def minimal_pdf(title: str, lines=()) -> bytes:
    """A one-page PDF 1.4 showing `title` and `lines`; the title, with its diacritics, is also
    the document's /Title. Deterministic: the same text gives the same bytes (and sha256)."""
    text = [f"BT /F1 16 Tf 56 780 Td ({_ascii(title)}) Tj /F1 11 Tf 0 -28 Td 14 TL"]
    text += [f"({_ascii(line)}) Tj T*" for line in lines]
    text.append("ET")
    content = "\n".join(text).encode("ascii")
    title_hex = ("FEFF" + title.encode("utf-16-be").hex().upper()).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        b"<< /Title <" + title_hex + b"> /Producer (QMS Tracker demo) >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode() + b"0000000000 65535 f \n"
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)
