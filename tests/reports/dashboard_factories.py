"""Data for the dashboard tests, and a reader of the dashboard's HTML.

The dashboard only reads, so most records are written directly in the state a figure needs (an
audit carried out, an action overdue); QMS profiles and announcements go through the services,
as their status is the services' business. Each helper says which figure it moves.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser

from audits.models import Audit, CorrectiveAction, ManagementReview, Nonconformity
from certification.models import ScoreSheet, ScoringRound
from documents.models import Applicability, Document
from tests.certification.factories import V2015, announce, make_profile
from tests.documents.factories import DocProcedureFactory, DocumentFactory
from tests.factories import SurveyResponseFactory, UnitFactory

D = datetime.date


def qms(actor, unit, code=V2015, announced=True):
    """A QMS profile on `code` (status announced with an announcement, else building)."""
    profile = make_profile(actor, unit, code=code, tthc=())
    if announced:
        announce(actor, unit, number=f"{unit.pk}/QĐ-UBND")
        profile.refresh_from_db()
    return profile


def audit_held(unit, month, state=Audit.State.CLOSED):
    """An internal audit carried out in `month` (a planned one does not count)."""
    return Audit.objects.create(unit=unit, planned_month=month.replace(day=1), state=state)


def review_held(unit, day, by):
    return ManagementReview.objects.create(
        unit=unit, held_on=day, chair="Chủ tịch UBND", attendees="Ban chỉ đạo ISO", recorded_by=by
    )


RAISED_ON = D(2019, 5, 1)


def nonconformity(unit, by, status=Nonconformity.Status.OPEN, raised_on=RAISED_ON, title="Hồ sơ trễ hạn"):
    return Nonconformity.objects.create(
        unit=unit,
        source=Nonconformity.Source.DIRECT,
        title=title,
        description="Hai hồ sơ trả kết quả trễ hạn không có văn bản xin lỗi.",
        raised_on=raised_on,
        raised_by=by,
        status=status,
    )


def action(nc, owner, due_on, state=CorrectiveAction.State.PLANNED):
    return CorrectiveAction.objects.create(
        nonconformity=nc,
        root_cause="Chưa theo dõi hạn trả kết quả.",
        action="Theo dõi hạn trả kết quả hằng ngày.",
        owner=owner,
        due_on=due_on,
        state=state,
        done_on=due_on if state != CorrectiveAction.State.PLANNED else None,
    )


def document(unit, next_review_on, status=Document.Status.EFFECTIVE, **kwargs):
    return DocumentFactory(unit=unit, status=status, next_review_on=next_review_on, **kwargs)


def coverage(unit, applicable, covered):
    """`applicable` TTHC applying to the unit itself, the first `covered` of them served by a TTHC
    procedure in force."""
    procedures = [DocProcedureFactory() for _ in range(applicable)]
    for procedure in procedures:
        Applicability.objects.create(procedure=procedure, unit=unit)
    if covered:
        DocumentFactory(
            unit=unit,
            kind=Document.Kind.TTHC_PROCEDURE,
            status=Document.Status.EFFECTIVE,
            procedures=procedures[:covered],
        )
    return procedures


def ratings(unit, satisfied, rated, on=None):
    """`rated` online ratings of overall satisfaction, `satisfied` of them 4 or 5."""
    moment = on or datetime.datetime.now(datetime.UTC)
    for index in range(rated):
        SurveyResponseFactory(unit=unit, overall=5 if index < satisfied else 2, submitted_at=moment)


def scoring_round(unit, year, commend_top=1, support_bottom=1):
    return ScoringRound.objects.create(
        unit=unit, year=year, commend_top=commend_top, support_bottom=support_bottom
    )


def sheet(scoring_round, unit, total, status=ScoreSheet.Status.APPROVED):
    return ScoreSheet.objects.create(
        round=scoring_round,
        unit=unit,
        status=status,
        final_total=None if total is None else Decimal(str(total)),
    )


def communes(parent, n, **kwargs):
    return [UnitFactory(parent=parent, kind="commune", **kwargs) for _ in range(n)]


# --- Reading the page ------------------------------------------------------------------------
@dataclass
class CellView:
    text: str = ""
    css: str = ""
    tone: str = ""
    href: str = ""


@dataclass
class Page:
    """The dashboard's table rows by unit pk (cells by column), the peers' column of the officer's
    table, and the text of elements found by id."""

    rows: dict = field(default_factory=dict)  # unit pk → {column: CellView}
    order: list = field(default_factory=list)  # unit pks in the table's order
    officer: dict = field(default_factory=dict)  # column → CellView of the officer's own unit
    peers: dict = field(default_factory=dict)  # column → text
    ids: dict = field(default_factory=dict)  # element id → its text
    links: dict = field(default_factory=dict)  # element id → href


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.unit = None  # the unit pk of the current table row
        self.in_officer = False
        self.cell = None
        self.peer = None
        self.open_ids = []  # (id, depth) of the elements whose text is being collected
        self.depth = 0
        self.texts = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        void = tag in ("input", "br", "img", "meta", "link", "hr")
        if not void:
            self.depth += 1
        if attrs.get("id"):
            self.page.links[attrs["id"]] = attrs.get("href", "")
            if not void:
                self.open_ids.append((attrs["id"], self.depth))
                self.texts[attrs["id"]] = []
        if attrs.get("id") == "peer-comparison":
            self.in_officer = True
        if tag == "tr" and "data-unit" in attrs:
            self.unit = int(attrs["data-unit"])
            self.page.rows[self.unit] = {}
            self.page.order.append(self.unit)
        if tag == "td" and "data-col" in attrs:
            self.cell = CellView(css=attrs.get("class", ""), tone=attrs.get("data-tone", ""))
            if self.unit is not None:
                self.page.rows[self.unit][attrs["data-col"]] = self.cell
            elif self.in_officer:
                self.page.officer[attrs["data-col"]] = self.cell
        if tag == "td" and "data-peers" in attrs:
            self.peer = attrs["data-peers"]
            self.page.peers[self.peer] = ""
        if tag == "a" and self.cell is not None and not self.cell.href:
            self.cell.href = attrs.get("href", "")

    def handle_endtag(self, tag):
        while self.open_ids and self.open_ids[-1][1] >= self.depth:
            self.open_ids.pop()
        self.depth -= 1
        if tag == "td":
            self.cell = None
            self.peer = None
        if tag == "tr":
            self.unit = None
        if tag == "table":
            self.in_officer = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.text = " ".join(f"{self.cell.text} {data}".split())
        if self.peer is not None:
            self.page.peers[self.peer] = " ".join(f"{self.page.peers[self.peer]} {data}".split())
        for element_id, _depth in self.open_ids:
            self.texts[element_id].append(data)


def read(response) -> Page:
    reader = _Reader()
    reader.feed(response.content.decode())
    reader.page.ids = {key: " ".join("".join(parts).split()) for key, parts in reader.texts.items()}
    return reader.page
