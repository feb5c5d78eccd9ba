"""The QR poster of a unit's public survey: an A4 PDF to print and hang at the one-stop desk.

The QR code (segno, inline SVG) holds the absolute address of the survey page; the address is
printed under it for those who type it. SURVEY_PUBLIC_BASE_URL (e.g. "https://qms.example.gov.vn")
sets the address citizens reach when the staff open the application on an internal address;
without it the address of the request is used.

WeasyPrint needs Pango at import time: it is imported inside the function (see audits/report.py).
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe

from certification.models import QMS_UNIT_KINDS
from communes.models import Unit
from core.scoping import Action
from core.views import get_scoped_object_or_404


def survey_url(request, unit) -> str:
    """The absolute address of the unit's public survey page."""
    path = reverse("survey:form", args=[unit.pk])
    base = settings.SURVEY_PUBLIC_BASE_URL.rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def qr_svg(url: str) -> str:
    """The QR code of `url` as an inline <svg> that scales to its box (medium error correction:
    the poster may get dirty or creased)."""
    import segno

    code = segno.make(url, error="m", micro=False)
    return code.svg_inline(scale=1, border=4, omitsize=True, svgclass="qr", dark="#000", light="#fff")


def render_poster(request, unit) -> bytes:
    from weasyprint import HTML

    url = survey_url(request, unit)
    # Printed for the citizens of a Vietnamese unit: always in Vietnamese (see the template).
    qr = mark_safe(qr_svg(url))  # noqa: S308 -- segno's own SVG of our own address
    with translation.override("vi"):
        html = render_to_string("surveys/poster.html", {"unit": unit, "url": url, "qr": qr})
    return HTML(string=html).write_pdf()


@login_required
def poster(request, unit_pk):
    """The poster of a unit the user may read (out of scope 404)."""
    unit = get_scoped_object_or_404(
        Unit.objects.filter(kind__in=QMS_UNIT_KINDS), request.user, Action.VIEW, pk=unit_pk
    )
    response = HttpResponse(render_poster(request, unit), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="phieu-khao-sat-qr-{unit.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
