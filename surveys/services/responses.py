"""The public survey's writes: a citizen's response, and the nonconformity raised from its comment.

Abuse (the page needs no login): the rate limits are counted in the database on the responses
themselves (no extra table, so a flood cannot fill one either): at most
settings.SURVEY_LIMIT_PER_ADDRESS responses per client and settings.SURVEY_LIMIT_PER_UNIT per unit
in any hour. The client is known only by `client_key` (a hash of its address and the secret key),
never by its raw address.
"""

import datetime
import hashlib
import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.models import Nonconformity
from audits.services.actions import nonconformity_raise
from certification.models import QMS_UNIT_KINDS
from communes.models import Unit
from core import clock
from core.scoping import Action, require
from documents.models import Applicability, Procedure
from surveys.models import COMMENT_MAX, CONTACT_MAX, CRITERIA, RATING_MAX, RATING_MIN, Response

WINDOW = datetime.timedelta(hours=1)
NC_TITLE_MAX = 120


class Throttled(Exception):
    """Too many responses in the last hour; str(exc) is safe to show to the citizen."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)

    def __str__(self):
        return self.message


# --- The client ------------------------------------------------------------------------------
def _valid_ip(text: str) -> str | None:
    text = (text or "").strip()
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def client_address(request) -> str:
    """The address the request came from.

    REMOTE_ADDR, unless settings.TRUSTED_PROXY_COUNT (n) proxies stand in front of the site: then
    the n-th entry of X-Forwarded-For from the right, the one our outermost proxy saw (entries
    further left are whatever the client claims, so they are never trusted).
    """
    remote = _valid_ip(request.META.get("REMOTE_ADDR", "")) or ""
    trusted = getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0
    if trusted > 0:
        entries = [e for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if e.strip()]
        if len(entries) >= trusted:
            address = _valid_ip(entries[-trusted])
            if address:
                return address
    return remote


def client_key(address: str) -> str:
    """sha256 hex of (address + SECRET_KEY): rate-limits a client without keeping its address."""
    return hashlib.sha256(f"{address}{settings.SECRET_KEY}".encode()).hexdigest()


# --- Which procedures ----------------------------------------------------------------------------
def survey_procedures(unit):
    """The procedures a citizen of `unit` may rate: those that apply to the unit (its kind or the
    unit itself, not abolished); any procedure of the catalogue not abolished when the catalogue
    says nothing about the unit."""
    live = Procedure.objects.exclude(status=Procedure.Status.ABOLISHED)
    applicable = Applicability.objects.filter(
        unit_kind=unit.kind, unit__isnull=True
    ) | Applicability.objects.filter(unit=unit)
    narrowed = live.filter(pk__in=applicable.values("procedure_id"))
    return narrowed if narrowed.exists() else live


# --- Submitting -------------------------------------------------------------------------------
def _clean_text(value, limit, field, errors):
    text = str(value or "").replace("\x00", "").strip()
    if len(text) > limit:
        errors[field] = _("At most %(limit)s characters.") % {"limit": limit}
    return text


def _clean_ratings(ratings, errors) -> dict:
    ratings = dict(ratings or {})
    unknown = set(ratings) - set(CRITERIA)
    if unknown:
        errors["__all__"] = _("Unknown criterion.")
    cleaned = {}
    for criterion in CRITERIA:
        value = ratings.get(criterion)
        if value in (None, ""):
            value = None
        elif isinstance(value, bool):
            value = False
        else:
            try:
                value = int(value)
            except (TypeError, ValueError):
                value = False
        if value is False or (value is not None and not RATING_MIN <= value <= RATING_MAX):
            errors[criterion] = _("Choose a rating from 1 to 5.")
        elif value is None and criterion == "overall":
            errors[criterion] = _("Please rate your overall satisfaction.")
        cleaned[criterion] = value if value is not False else None
    return cleaned


def _lock_for_counting(unit, key):
    """Serialise the submissions of one unit (and, on PostgreSQL, of one client) so the counts hold."""
    Unit.objects.select_for_update().filter(pk=unit.pk).values_list("pk", flat=True).first()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(key[:15], 16)])


@transaction.atomic
def response_submit(
    *, unit, procedure, ratings: dict, comment, contact, client_address, now=None
) -> Response:
    """Record a citizen's response; ValidationError on bad input, Throttled over the limits."""
    now = now or timezone.now()
    if unit is None or unit.kind not in QMS_UNIT_KINDS or not unit.is_active:
        raise ValidationError(_("This unit has no satisfaction survey."))
    errors = {}
    cleaned = _clean_ratings(ratings, errors)
    comment = _clean_text(comment, COMMENT_MAX, "comment", errors)
    contact = _clean_text(contact, CONTACT_MAX, "contact", errors)
    if procedure is not None and not survey_procedures(unit).filter(pk=procedure.pk).exists():
        errors["procedure"] = _("This procedure is not handled by this unit.")
    if errors:
        raise ValidationError(errors)

    key = client_key(client_address or "")
    _lock_for_counting(unit, key)
    since = now - WINDOW
    recent = Response.objects.filter(submitted_at__gt=since, submitted_at__lte=now)
    if recent.filter(client_key=key).count() >= settings.SURVEY_LIMIT_PER_ADDRESS:
        raise Throttled(_("You have already sent several answers in the last hour. Please try again later."))
    if recent.filter(unit=unit).count() >= settings.SURVEY_LIMIT_PER_UNIT:
        raise Throttled(
            _("This unit has received too many answers in the last hour. Please try again later.")
        )

    response = Response(
        unit=unit,
        procedure=procedure,
        submitted_at=now,
        comment=comment,
        contact=contact,
        client_key=key,
        **cleaned,
    )
    response.save()
    return response


# --- Raising a nonconformity from a comment ----------------------------------------------------
CHANGE_DENIED = gettext_lazy("You may not change the records of %(unit)s.")


def _nc_title(comment: str) -> str:
    first_line = " ".join(comment.split())
    prefix = _("Citizen complaint: ")
    room = NC_TITLE_MAX - len(prefix)
    if len(first_line) > room:
        first_line = first_line[: room - 1].rstrip() + "…"
    return prefix + first_line


@transaction.atomic
def response_raise_nonconformity(*, actor, response) -> Nonconformity:
    """Raise a nonconformity (source: citizen complaint, ISO 9001:2015 §10.2.1) from the comment.

    Officer of the unit or supervisor above. A second call returns the nonconformity already raised.
    """
    response = (
        Response.objects.select_for_update(of=("self",))
        .select_related("unit", "procedure")
        .get(pk=response.pk)
    )
    require(actor, Action.CHANGE, response.unit, CHANGE_DENIED)
    if response.nonconformity_id:
        existing = Nonconformity.objects.filter(pk=response.nonconformity_id).first()
        if existing is not None:
            return existing
    if not response.comment.strip():
        raise ValidationError(_("This response has no comment to raise as a nonconformity."))
    lines = [response.comment.strip(), ""]
    lines.append(
        _("Online survey response of %(time)s.")
        % {"time": f"{timezone.localtime(response.submitted_at):%d/%m/%Y %H:%M}"}
    )
    if response.procedure is not None:
        lines.append(_("Procedure: %(procedure)s") % {"procedure": response.procedure})
    lines.append(_("Overall satisfaction: %(rating)s/5") % {"rating": response.overall})
    if response.contact:
        lines.append(_("Contact: %(contact)s") % {"contact": response.contact})
    nc = nonconformity_raise(
        actor=actor,
        unit=response.unit,
        source=Nonconformity.Source.COMPLAINT,
        title=_nc_title(response.comment),
        description="\n".join(lines),
        raised_on=clock.today(),
    )
    response.nonconformity = nc
    response.save(update_fields=["nonconformity"])
    return nc
