"""Reads of the audits app: audit depth in one query, open and overdue actions."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audits import selectors
from audits.models import Audit, ChecklistItem, Clause, CorrectiveAction, Finding, Nonconformity
from tests.audits.factories import D, clause

CODES = ["4.3", "5.2", "6.2", "7.5", "8.5", "9.1", "9.2", "10.2"]
ANSWERS = ["", "conforming", "nonconforming", "not_applicable"]
KINDS = list(Finding.Kind.values)


def make_audit(unit, user, n):
    """Audit number `n`: a varied but predictable checklist and findings."""
    audit = Audit.objects.create(unit=unit, planned_month=D(2000 + n, 1, 1), lead_auditor=user)
    items = []
    for q in range(n % 7):
        items.append(
            ChecklistItem.objects.create(
                audit=audit,
                clause=clause(CODES[(n + q) % len(CODES)]),
                question=f"Câu {q}",
                answer=ANSWERS[(n * q) % len(ANSWERS)],
                position=q,
            )
        )
    for f in range(n % 4):
        Finding.objects.create(
            audit=audit,
            kind=KINDS[(n + f) % len(KINDS)],
            clause=clause(CODES[f]),
            description="x",
            evidence="Bằng chứng" if (n + f) % 3 else "",
            raised_by=user,
        )
    return audit


def expected(audit):
    """The depth of an audit, counted in Python."""
    items = list(audit.checklist.all())
    answered = [i for i in items if i.answer]
    findings = list(audit.findings.all())
    return {
        "questions": len(items),
        "answered": len(answered),
        "clauses_covered": len({i.clause_id for i in answered}),
        "findings_count": len(findings),
        "findings_with_evidence": len([f for f in findings if f.evidence]),
    }


def figures(audit):
    return {name: getattr(audit, name) for name in expected(audit)}


def test_with_depth_figures(tree, auditor):
    made = [make_audit(tree.unit_a if n % 2 else tree.unit_b, auditor, n) for n in range(1, 15)]
    annotated = {a.pk: a for a in selectors.with_depth(Audit.objects.all())}
    assert len(annotated) == len(made)
    for audit in made:
        assert figures(annotated[audit.pk]) == expected(audit), audit.planned_month
    # Some audits have no checklist and no findings at all: zeros, not None.
    empty = annotated[made[6].pk]  # n = 7: n % 7 == 0 questions, n % 4 == 3 findings
    assert (empty.questions, empty.answered, empty.clauses_covered) == (0, 0, 0)


def test_depth_of_one_audit(tree, auditor):
    audit = make_audit(tree.unit_a, auditor, 6)
    depth = selectors.depth_of(audit)
    total = Clause.objects.count()
    want = expected(audit)
    assert depth == {
        "clauses_covered": want["clauses_covered"],
        "clauses_total": total,
        "clause_rate": want["clauses_covered"] / total,
        "questions": want["questions"],
        "answered": want["answered"],
        "findings": want["findings_count"],
        "findings_with_evidence": want["findings_with_evidence"],
    }
    assert total == 39 and selectors.clause_total() == 39


def test_with_depth_takes_one_query_however_many_audits(tree, auditor):
    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            rows = list(selectors.with_depth(Audit.objects.all()))
        return len(rows), len(ctx.captured_queries)

    for n in range(1, 3):
        make_audit(tree.unit_a, auditor, n)
    few = count_queries()
    for n in range(3, 41):
        make_audit(tree.unit_b, auditor, n)
    many = count_queries()
    assert few == (2, 1) and many == (40, 1)


def test_open_and_overdue_actions(tree, officer_a, supervisor):
    today = timezone.localdate()
    nc = Nonconformity.objects.create(
        unit=tree.unit_a,
        source="direct",
        title="T",
        description="D",
        raised_on=D(2019, 1, 1),
        raised_by=officer_a,
    )
    made = {}
    for state in CorrectiveAction.State.values:
        for label, due in (("late", today - datetime.timedelta(days=1)), ("on time", today)):
            made[state, label] = CorrectiveAction.objects.create(
                nonconformity=nc, root_cause="R", action="A", owner=officer_a, due_on=due, state=state
            )
    open_ = set(selectors.open_actions())
    assert open_ == {a for (state, _), a in made.items() if state in ("planned", "done")}
    assert set(selectors.overdue_actions()) == {made["planned", "late"]}
    assert set(selectors.overdue_actions(today=today + datetime.timedelta(days=1))) == {
        made["planned", "late"],
        made["planned", "on time"],
    }
    scoped = CorrectiveAction.objects.filter(pk=made["planned", "on time"].pk)
    assert list(selectors.open_actions(scoped)) == [made["planned", "on time"]]
    assert not selectors.overdue_actions(scoped).exists()


@pytest.mark.parametrize("n", [0, 3])
def test_review_figures_query_count_does_not_grow(tree, auditor, officer_a, n, django_assert_max_num_queries):
    for k in range(n):
        make_audit(tree.unit_a, auditor, k + 1)
    Audit.objects.update(state=Audit.State.REPORT_ISSUED)
    with django_assert_max_num_queries(6):
        selectors.review_figures(tree.unit_a)
