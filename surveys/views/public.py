"""The public satisfaction survey (/survey/<unit>/): no login, made for a phone, in Vietnamese.

A citizen reaches it from the QR poster at the one-stop desk (bộ phận một cửa), picks the
procedure (a search that ignores diacritics narrows the list; it works without JavaScript too)
and rates the six criteria. Abuse: CSRF stays on, the service limits submissions per address and
per unit (counted in the database), a field people never see traps robots (a filled one is
answered as a success and nothing is saved), lengths are limited in the form and the service.

The pages are in Vietnamese whatever the phone's language: citizens' phones often run in English,
and the one-stop desk serves in Vietnamese. Their wording goes through the catalogue like any
page (English msgids), so the translation is kept in one place.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from certification.models import QMS_UNIT_KINDS
from communes import selectors as unit_selectors
from communes.models import Unit
from core.forms import add_service_error
from core.text import fold
from surveys.forms_public import SurveyForm
from surveys.services import responses as services

# How many procedures the search partial returns (a commune handles a few hundred at most).
SEARCH_LIMIT = 200
PUBLIC_LANGUAGE = "vi"


def public_unit(unit_pk):
    """The unit the survey is about: an active unit that keeps a QMS, else 404."""
    unit = Unit.objects.filter(pk=unit_pk, kind__in=QMS_UNIT_KINDS).first()
    if unit is None or not unit.is_active:
        raise Http404
    return unit


def _merged_into(unit_pk):
    """The survey address of the unit that took over a unit no longer in operation (the QR
    posters of a merged commune stay on the wall), None when there is none."""
    unit = Unit.objects.filter(pk=unit_pk, kind__in=QMS_UNIT_KINDS).first()
    if unit is None or unit.is_active:
        return None
    successor = unit_selectors.successor_in_operation(unit)
    if successor is None or successor.kind not in QMS_UNIT_KINDS:
        return None
    return f"{reverse('survey:form', args=[successor.pk])}?from={unit.pk}"


def _predecessor(unit, pk):
    """The unit `pk` when it merged into `unit` (the note "Bích Động is now part of ...")."""
    if not str(pk).isdigit():
        return None
    return Unit.objects.filter(pk=pk, successions_out__successor=unit).first()


def procedure_choices(unit, query=""):
    """The procedures a citizen may pick for `unit`, narrowed by `query` (diacritics ignored)."""
    procedures = services.survey_procedures(unit)
    folded = fold(query)
    if folded:
        procedures = procedures.filter(search_text__contains=folded)
    return procedures


def _render(request, template, context, status=200):
    with translation.override(PUBLIC_LANGUAGE):
        response = render(request, template, context, status=status)
        response["Content-Language"] = PUBLIC_LANGUAGE
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def survey_form(request, unit_pk):
    """GET: the form (?q= narrows the procedures, for phones without JavaScript). POST: submit.
    A unit that merged sends the citizen on to its successor's form."""
    if request.method == "GET" and (moved := _merged_into(unit_pk)):
        return redirect(moved)
    unit = public_unit(unit_pk)
    query = request.GET.get("q", "")[:100]
    if request.method == "POST":
        form = SurveyForm(request.POST, procedures=services.survey_procedures(unit))
        if form.is_trap_filled:
            # A robot: answer as if it worked, keep nothing.
            return redirect("survey:thanks", unit_pk=unit.pk)
        with translation.override(PUBLIC_LANGUAGE):
            valid = form.is_valid()
        if valid:
            data = form.cleaned_data
            try:
                with transaction.atomic(), translation.override(PUBLIC_LANGUAGE):
                    services.response_submit(
                        unit=unit,
                        procedure=data["procedure"],
                        ratings=form.ratings(),
                        comment=data["comment"],
                        contact=data["contact"],
                        client_address=services.client_address(request),
                    )
            except services.Throttled as exc:
                return _render(
                    request, "surveys/public/throttled.html", {"unit": unit, "reason": str(exc)}, status=429
                )
            except ValidationError as exc:
                with translation.override(PUBLIC_LANGUAGE):
                    add_service_error(form, exc)
            else:
                return redirect("survey:thanks", unit_pk=unit.pk)
    else:
        procedures = procedure_choices(unit, query)
        initial = {}
        if query:
            matches = list(procedures[:2])
            if len(matches) == 1:  # the search found it: pick it
                initial["procedure"] = matches[0].pk
        form = SurveyForm(procedures=procedures, initial=initial)
    context = {"unit": unit, "form": form, "query": query}
    if request.method == "GET" and "from" in request.GET:
        context["merged_from"] = _predecessor(unit, request.GET["from"])
    return _render(request, "surveys/public/form.html", context)


@require_GET
def survey_thanks(request, unit_pk):
    return _render(request, "surveys/public/thanks.html", {"unit": public_unit(unit_pk)})


@require_GET
def survey_procedures(request, unit_pk):
    """The <option>s of the procedure picker for ?q= (htmx swaps them into the <select>).

    When the search leaves exactly one procedure, it comes selected.
    """
    unit = public_unit(unit_pk)
    query = request.GET.get("q", "")[:100]
    procedures = list(procedure_choices(unit, query)[: SEARCH_LIMIT + 1])
    return _render(
        request,
        "surveys/public/_procedure_options.html",
        {
            "procedures": procedures[:SEARCH_LIMIT],
            "more": len(procedures) > SEARCH_LIMIT,
            "query": query,
            "only": procedures[0] if len(procedures) == 1 else None,
        },
    )
