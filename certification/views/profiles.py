"""Pages of the QMS profile of each unit, its announcement and recognition decisions, and the
version transition boards (Decision 19/2014/QĐ-TTg, Circular 26/2014/TT-BKHCN).

Everything is read through `for_user`: out of scope → 404, in scope without the right → 403.
Writes go through certification.services.profile and certification.services.transitions; their
ValidationError lands on the form and nothing is saved. Announcements and re-announcements are
the unit's (CHANGE); recognitions and revocations the supervisor's (MANAGE).
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification import selectors
from certification.filters_profiles import ProfileFilter, TransitionFilter
from certification.forms_profiles import (
    DecisionFileForm,
    DecisionForm,
    ProfileForm,
    TransitionForm,
    TransitionUpdateForm,
    recordable_kinds,
)
from certification.models import QMS_UNIT_KINDS, Decision, QmsProfile, VersionTransition
from certification.selectors import TransitionRow
from certification.services import profile as profile_services
from certification.services import transitions as transition_services
from certification.tables_profiles import STATUS_CSS, ProfileTable, TransitionTable
from communes.models import Unit
from core import files as filetypes
from core.scoping import Action, can_anywhere, get_scope
from core.views import ScopedListView, get_scoped_object_or_404, posted, refuse, run_form
from documents import selectors as document_selectors

Kind = Decision.Kind
Status = QmsProfile.Status

# Rows per page of the transition board.
BOARD_PER_PAGE = 50

KIND_CSS = {
    Kind.ANNOUNCEMENT: "text-bg-primary",
    Kind.REANNOUNCEMENT: "text-bg-primary",
    Kind.RECOGNITION: "text-bg-success",
    Kind.REVOCATION: "text-bg-danger",
}
KIND_HELP = {
    Kind.ANNOUNCEMENT: gettext_lazy(
        "The head of the unit announces that its QMS conforms to TCVN ISO 9001 (Decision "
        "19/2014/QĐ-TTg). The decision records the profile's version, scope and TTHC as they are now."
    ),
    Kind.REANNOUNCEMENT: gettext_lazy(
        "A unit announces again when its scope changes: new TTHC, a new standard version or a merger. "
        "Give the reason."
    ),
    Kind.RECOGNITION: gettext_lazy("The supervisor recognises the announced QMS of the unit."),
    Kind.REVOCATION: gettext_lazy(
        "The supervisor revokes the announcement and recognition: the QMS lapses until it is announced again."
    ),
}
STATE_LABELS = {
    TransitionRow.DONE: gettext_lazy("done"),
    TransitionRow.LATE: gettext_lazy("late"),
    TransitionRow.IN_PROGRESS: gettext_lazy("in progress"),
    TransitionRow.NOT_STARTED: gettext_lazy("not started"),
}
STATE_CSS = {
    TransitionRow.DONE: "text-bg-success",
    TransitionRow.LATE: "text-bg-danger",
    TransitionRow.IN_PROGRESS: "text-bg-info",
    TransitionRow.NOT_STARTED: "text-bg-secondary",
}
STATES = (TransitionRow.DONE, TransitionRow.LATE, TransitionRow.IN_PROGRESS, TransitionRow.NOT_STARTED)


def _d(day):
    return f"{day:%d/%m/%Y}" if day else "—"


def _qms_units():
    return Unit.objects.filter(kind__in=QMS_UNIT_KINDS)


def _decision_label(decision):
    return _("%(number)s of %(day)s") % {"number": decision.number, "day": _d(decision.signed_on)}


# --- The list ------------------------------------------------------------------------------
def profile_units(user):
    """The units with a QMS in operation in the user's read scope, each with its profile's pk,
    status and version code as annotations (a unit without a profile has None)."""
    profiles = QmsProfile.objects.filter(unit_id=OuterRef("pk"))
    return (
        Unit.objects.for_user(user, Action.VIEW)
        .filter(kind__in=QMS_UNIT_KINDS)
        .active_on()
        .select_related("wave")
        .annotate(
            qms_profile_id=Subquery(profiles.values("pk")[:1]),
            qms_status=Subquery(profiles.values("status")[:1]),
            qms_version_id=Subquery(profiles.values("standard_version_id")[:1]),
            qms_version=Subquery(profiles.values("standard_version__code")[:1]),
        )
        .order_by("path")
    )


@dataclass
class Headline:
    """How many of the counted units stand in each status ("15/17 announced")."""

    total: int = 0
    counts: dict = field(default_factory=dict)

    @property
    def announced(self):
        return self.counts.get(Status.ANNOUNCED, 0)

    @property
    def without_profile(self):
        return self.total - sum(self.counts.values())

    def items(self):
        """(status, label, css, count) of every status some unit is in, in the model's order."""
        rows = [
            (value, label, STATUS_CSS[value], self.counts[value])
            for value, label in Status.choices
            if self.counts.get(value)
        ]
        if self.without_profile:
            rows.append(
                (
                    "none",
                    _("no profile yet"),
                    "bg-body-secondary text-body-secondary border",
                    self.without_profile,
                )
            )
        return rows


def headline(units) -> Headline:
    """The status counts of `units` (a queryset): two queries, whatever their number."""
    ids = units.order_by().values("pk")
    counts = dict(
        QmsProfile.objects.filter(unit_id__in=ids).order_by().values_list("status").annotate(n=Count("pk"))
    )
    return Headline(total=units.count(), counts=counts)


class ProfileListView(ScopedListView):
    """One row per unit with a QMS in the user's scope: version, status, current announcement and
    recognition; the headline counts the units by status."""

    model = Unit
    table_class = ProfileTable
    filterset_class = ProfileFilter
    template_name = "certification/profiles/profile_list.html"
    paginate_by = 50

    def get_queryset(self):
        return profile_units(self.request.user)

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        # The page's rows only: two queries, whatever the number of units in scope.
        units = [row.record for row in table.page.object_list] if hasattr(table, "page") else []
        table.statuses = selectors.status_for_units(units)
        table.scope = get_scope(self.request.user)
        return table

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset
        population = self.get_queryset()
        if filterset.is_bound and filterset.is_valid():
            data = filterset.form.cleaned_data
            for name in ProfileFilter.POPULATION:
                if data.get(name):
                    population = filterset.filters[name].filter(population, data[name])
        context.update(
            headline=headline(population), can_change=can_anywhere(self.request.user, Action.CHANGE)
        )
        return context


profile_list = ProfileListView.as_view()


# --- The profile ---------------------------------------------------------------------------
@dataclass
class Explanation:
    """Why a profile is (or is not) announced, from its unit's current decisions."""

    summary: str
    differences: list = field(default_factory=list)
    decision: Decision | None = None


def explain_status(profile, decisions, codes) -> Explanation:
    """`decisions`: the unit's decisions, newest first; `codes`: the profile's sorted TTHC codes.
    Names what differs between the profile and its current announcement (version, scope, TTHC)."""
    if profile.status == Status.NEEDS_ANNOUNCEMENT:
        merged_on = profile_services.merger_dates([profile.unit_id]).get(profile.unit_id)
        return Explanation(
            _(
                "Needs announcement: the unit was formed by a merger on %(day)s. A merged unit is a new "
                "unit: its head announces its QMS again, whatever was announced before the merger."
            )
            % {"day": _d(merged_on)}
        )
    current = [d for d in decisions if d.superseded_by_id is None]
    announcing = next((d for d in current if d.kind in Decision.ANNOUNCING), None)
    if announcing is not None:
        differences = []
        if announcing.standard_version_id != profile.standard_version_id:
            differences.append(
                _("the standard version: %(old)s in the decision, %(new)s in the profile")
                % {"old": announcing.standard_version, "new": profile.standard_version}
            )
        if announcing.scope_snapshot.strip() != profile.scope_statement.strip():
            differences.append(_("the scope statement has changed since the decision"))
        snapshot = set(announcing.procedures_snapshot)
        added, removed = sorted(set(codes) - snapshot), sorted(snapshot - set(codes))
        if added:
            differences.append(_("TTHC added since the decision: %(codes)s") % {"codes": ", ".join(added)})
        if removed:
            differences.append(
                _("TTHC removed since the decision: %(codes)s") % {"codes": ", ".join(removed)}
            )
        context = {"kind": announcing.get_kind_display(), "decision": _decision_label(announcing)}
        if not differences:
            summary = _(
                "Announced: the current %(kind)s %(decision)s covers the profile's version, scope and TTHC."
            )
        else:
            summary = _(
                "Needs a re-announcement: the current %(kind)s %(decision)s no longer covers the profile. "
                "It differs in:"
            )
        return Explanation(summary % context, differences, announcing)
    revocation = next((d for d in current if d.kind == Kind.REVOCATION), None)
    if revocation is not None:
        return Explanation(
            _(
                "Lapsed: the announcement was revoked by decision %(decision)s. The QMS must be announced again."
            )
            % {"decision": _decision_label(revocation)},
            decision=revocation,
        )
    if profile.effective_confirmed_on:
        return Explanation(
            _(
                "Applying: the head of the unit confirmed the system effective on %(day)s; it is not announced yet."
            )
            % {"day": _d(profile.effective_confirmed_on)}
        )
    return Explanation(
        _(
            "Building: the head of the unit has not confirmed the system effective yet, and it is not announced."
        )
    )


def _record_buttons(user, unit):
    return [(kind.value, kind.label) for kind in recordable_kinds(user, unit)]


@login_required
def profile_detail(request, pk):
    profile = get_scoped_object_or_404(
        QmsProfile.objects.select_related("unit", "standard_version"), request.user, Action.VIEW, pk=pk
    )
    procedures = list(profile.procedures.order_by("code"))
    codes = profile_services.procedure_codes(procedures)
    decisions = list(
        Decision.objects.filter(unit_id=profile.unit_id)
        .select_related("standard_version", "superseded_by")
        .order_by("-signed_on", "-pk")
    )
    for decision in decisions:
        decision.css = KIND_CSS.get(decision.kind, "text-bg-secondary")
    scope = get_scope(request.user)
    abolished = [p for p in procedures if p.status == p.Status.ABOLISHED]
    return render(
        request,
        "certification/profiles/profile_detail.html",
        {
            "profile": profile,
            "unit": profile.unit,
            "status_css": STATUS_CSS.get(profile.status, "text-bg-secondary"),
            "explanation": explain_status(profile, decisions, codes),
            "procedures": procedures,
            "abolished": abolished,
            "decisions": decisions,
            "members": [line.strip() for line in profile.steering_members.splitlines() if line.strip()],
            "can_change": scope.covers(Action.CHANGE, profile.unit.path),
            "record_kinds": _record_buttons(request.user, profile.unit),
        },
    )


def _profile_form_context(unit, profile=None, title=""):
    return {
        "unit": unit,
        "profile": profile,
        "title": title,
        "cancel_url": profile.get_absolute_url() if profile else reverse("certification:profile_list"),
    }


@login_required
def profile_create(request, unit_pk):
    unit = get_scoped_object_or_404(_qms_units(), request.user, Action.CHANGE, pk=unit_pk)
    existing = QmsProfile.objects.filter(unit=unit).first()
    if existing is not None:
        messages.info(request, _("This unit already has a QMS profile."))
        return redirect(existing)
    initial = {}
    if request.method != "POST":
        # The TTHC that apply to the unit are ticked to begin with.
        initial["procedures"] = sorted(document_selectors.coverage_for_units([unit])[unit.pk].applicable)
    form = ProfileForm(posted(request), user=request.user, unit=unit, initial=initial)

    def run(data):
        profile = profile_services.profile_create(actor=request.user, unit=unit, **form.service_fields())
        return profile.get_absolute_url()

    return run_form(
        request,
        form,
        run,
        success=_("QMS profile set up."),
        template="certification/profiles/profile_form.html",
        context=_profile_form_context(unit, title=_("QMS profile of %(unit)s") % {"unit": unit}),
    )


@login_required
def profile_update(request, pk):
    profile = get_scoped_object_or_404(
        QmsProfile.objects.select_related("unit", "standard_version"), request.user, Action.CHANGE, pk=pk
    )
    was = profile.status
    form = ProfileForm(posted(request), instance=profile, user=request.user, unit=profile.unit)

    def run(data):
        updated = profile_services.profile_update(
            actor=request.user, profile=profile, **form.service_fields()
        )
        if was == Status.ANNOUNCED and updated.status == Status.NEEDS_REANNOUNCEMENT:
            messages.warning(
                request,
                _(
                    "The profile no longer matches its announcement: it needs a re-announcement. "
                    "Record one when the head of the unit has signed it."
                ),
            )
        return updated.get_absolute_url()

    return run_form(
        request,
        form,
        run,
        success=_("QMS profile saved."),
        template="certification/profiles/profile_form.html",
        context=_profile_form_context(
            profile.unit, profile, _("Edit the QMS profile of %(unit)s") % {"unit": profile.unit}
        )
        | {"announced": was == Status.ANNOUNCED},
    )


# --- Decisions -----------------------------------------------------------------------------
@login_required
def decision_create(request, unit_pk):
    """Record a decision on a unit's QMS; ?kind= chooses the kind. A kind the user may not
    record answers 403 (an officer asking for a recognition)."""
    unit = get_scoped_object_or_404(_qms_units(), request.user, Action.VIEW, pk=unit_pk)
    kinds = recordable_kinds(request.user, unit)
    wanted = (request.POST.get("kind") if request.method == "POST" else request.GET.get("kind")) or ""
    if not kinds or (wanted in Kind.values and wanted not in kinds):
        raise PermissionDenied
    profile = QmsProfile.objects.filter(unit=unit).select_related("standard_version").first()
    if profile is None:
        if get_scope(request.user).covers(Action.CHANGE, unit.path):
            target = reverse("certification:profile_create", args=[unit.pk])
        else:
            target = reverse("certification:profile_list")
        return refuse(request, _("Set up the QMS profile of this unit first."), target)
    initial = {"kind": wanted if wanted in kinds else kinds[0]}
    data, files = posted(request, files=True)
    form = DecisionForm(data, files, user=request.user, unit=unit, initial=initial)

    def run(cleaned):
        profile_services.decision_record(
            actor=request.user,
            unit=unit,
            kind=cleaned["kind"],
            reason=cleaned.get("reason") or "",
            number=cleaned["number"],
            signed_on=cleaned["signed_on"],
            signer=cleaned["signer"],
            file=cleaned.get("file") or None,
        )
        profile.refresh_from_db()
        messages.info(
            request,
            _("The QMS of %(unit)s is now: %(status)s.")
            % {"unit": unit, "status": profile.get_status_display()},
        )
        return profile.get_absolute_url()

    chosen = initial["kind"]
    return run_form(
        request,
        form,
        run,
        success=_("Decision recorded."),
        template="certification/profiles/decision_form.html",
        context={
            "title": _("New decision on the QMS of %(unit)s") % {"unit": unit},
            "unit": unit,
            "profile": profile,
            "codes": profile_services.procedure_codes(profile.procedures.all()),
            "kind_help": [(kind, KIND_HELP[kind]) for kind in kinds],
            "chosen": chosen,
            "cancel_url": profile.get_absolute_url(),
        },
    )


def _get_decision(request, pk):
    return get_scoped_object_or_404(
        Decision.objects.select_related("unit", "standard_version", "superseded_by"),
        request.user,
        Action.VIEW,
        pk=pk,
    )


@login_required
def decision_detail(request, pk):
    decision = _get_decision(request, pk)
    profile = QmsProfile.objects.filter(unit_id=decision.unit_id).only("pk", "unit_id").first()
    scope = get_scope(request.user)
    return render(
        request,
        "certification/profiles/decision_detail.html",
        {
            "decision": decision,
            "unit": decision.unit,
            "profile": profile,
            "kind_css": KIND_CSS.get(decision.kind, "text-bg-secondary"),
            "supersedes": list(decision.supersedes.order_by("-signed_on", "-pk")),
            "can_attach": not decision.file
            and scope.covers(profile_services.KIND_ACTION[decision.kind], decision.unit.path),
        },
    )


@login_required
def decision_file(request, pk):
    """The signed file of a decision, only for those who may read the unit's records."""
    decision = _get_decision(request, pk)
    if not decision.file:
        raise Http404
    try:
        handle = decision.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    name = decision.file_name or f"{decision.number}.{decision.file_type or 'pdf'}"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type=filetypes.CONTENT_TYPES.get(decision.file_type, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def decision_attach(request, pk):
    """Attach the signed file to a decision recorded without one (never replaced: a record)."""
    decision = _get_decision(request, pk)
    if not get_scope(request.user).covers(profile_services.KIND_ACTION[decision.kind], decision.unit.path):
        raise PermissionDenied
    if decision.file:
        return refuse(
            request,
            _("This decision already has its file; a record is never replaced."),
            decision.get_absolute_url(),
        )
    data, files = posted(request, files=True)
    form = DecisionFileForm(data, files, user=request.user)

    def run(cleaned):
        profile_services.decision_attach_file(actor=request.user, decision=decision, file=cleaned["file"])
        return decision.get_absolute_url()

    return run_form(
        request,
        form,
        run,
        success=_("File attached."),
        template="certification/profiles/form.html",
        context={
            "title": _("Attach the signed file of %(decision)s") % {"decision": decision},
            "unit": decision.unit,
            "decision": decision,
            "cancel_url": decision.get_absolute_url(),
        },
    )


# --- Version transitions -------------------------------------------------------------------
class TransitionListView(ScopedListView):
    model = VersionTransition
    table_class = TransitionTable
    filterset_class = TransitionFilter
    template_name = "certification/profiles/transition_list.html"

    def get_queryset(self):
        return (
            VersionTransition.objects.for_user(self.request.user)
            .select_related("unit", "target_version")
            .order_by("-deadline", "unit__path")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_create=can_anywhere(self.request.user, Action.MANAGE), **kwargs)


transition_list = TransitionListView.as_view()


def _get_transition(request, pk, action=Action.VIEW):
    return get_scoped_object_or_404(
        VersionTransition.objects.select_related("unit", "target_version"), request.user, action, pk=pk
    )


@login_required
def transition_create(request):
    if not can_anywhere(request.user, Action.MANAGE):
        raise PermissionDenied
    form = TransitionForm(posted(request), user=request.user)

    def run(data):
        transition = transition_services.transition_create(
            actor=request.user,
            unit=data["unit"],
            target_version=data["target_version"],
            deadline=data["deadline"],
            note=data.get("note") or "",
        )
        return transition.get_absolute_url()

    return run_form(
        request,
        form,
        run,
        success=_("Version transition set."),
        template="certification/profiles/form.html",
        context={
            "title": _("New version transition"),
            "intro": _(
                "Every unit with a QMS under the supervising unit must announce its system on the target "
                "version by the deadline, e.g. all communes on TCVN ISO 9001:2015 before August 2019."
            ),
            "cancel_url": reverse("certification:transition_list"),
            "transitions": True,
        },
    )


@login_required
def transition_detail(request, pk):
    """The board: who is done, late, in progress or not started; filterable by state."""
    transition = _get_transition(request, pk)
    rows = selectors.transition_board(transition)
    counts = dict.fromkeys(STATES, 0)
    for row in rows:
        counts[row.state] += 1
    state = request.GET.get("state") or ""
    shown = [row for row in rows if row.state == state] if state in STATES else rows
    page = Paginator(shown, BOARD_PER_PAGE).get_page(request.GET.get("page"))
    for row in page.object_list:
        row.css, row.label = STATE_CSS[row.state], STATE_LABELS[row.state]
        row.status_css = STATUS_CSS.get(row.profile.status) if row.profile else ""
    return render(
        request,
        "certification/profiles/transition_detail.html",
        {
            "transition": transition,
            "total": len(rows),
            "states": [(s, STATE_LABELS[s], STATE_CSS[s], counts[s]) for s in STATES],
            "state": state if state in STATES else "",
            "page": page,
            "can_manage": get_scope(request.user).covers(Action.MANAGE, transition.unit.path),
        },
    )


@login_required
def transition_update(request, pk):
    transition = _get_transition(request, pk, Action.MANAGE)
    form = TransitionUpdateForm(
        posted(request), user=request.user, initial={"deadline": transition.deadline, "note": transition.note}
    )

    def run(data):
        transition_services.transition_update(
            actor=request.user, transition=transition, deadline=data["deadline"], note=data.get("note") or ""
        )
        return transition.get_absolute_url()

    return run_form(
        request,
        form,
        run,
        success=_("Version transition saved."),
        template="certification/profiles/form.html",
        context={
            "title": _("Edit %(transition)s") % {"transition": transition},
            "transition": transition,
            "cancel_url": transition.get_absolute_url(),
            "transitions": True,
        },
    )


@login_required
def transition_delete(request, pk):
    transition = _get_transition(request, pk, Action.MANAGE)
    if request.method == "POST":
        transition_services.transition_delete(actor=request.user, transition=transition)
        messages.success(request, _("Version transition deleted."))
        return redirect("certification:transition_list")
    return render(
        request,
        "certification/profiles/confirm_delete.html",
        {
            "title": _("Delete %(transition)s") % {"transition": transition},
            "transition": transition,
            "question": _(
                "Delete this version transition? The units' profiles and decisions stay as they are; only "
                "the board goes."
            ),
            "cancel_url": transition.get_absolute_url(),
            "transitions": True,
        },
    )
