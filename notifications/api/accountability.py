"""GET /api/v1/agreements/{id}/accountability/?at=ISO-8601

JSON by default; ``?format=csv`` (or ``Accept: text/csv``) gives a flat CSV to
download, ``?format=html`` (or ``Accept: text/html``) a page to print. Errors
are always JSON, whatever format was asked for.
"""

import datetime

from csp.constants import NONCE
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.api.grants_common import parse_instant
from contracts.selectors.agreements import agreements_visible_to
from contracts.years import FIRST_YEAR, LAST_YEAR
from notifications.api.accountability_formats import report_csv, report_html
from notifications.accountability import accountability_report
from partnerships.actors import actor_for

FORMATS = ("json", "csv", "html")


class JSONUnlessAsked(BaseContentNegotiation):
    """DRF would answer ?format=csv with 404 for want of a renderer; the view picks the format itself."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return JSONRenderer(), JSONRenderer.media_type


def requested_format(request) -> str:
    asked = request.query_params.get("format")
    if asked is not None:
        if asked not in FORMATS:
            raise ValidationError({"format": [_("Choose one of: json, csv, html.")]})
        return asked
    accept = request.headers.get("Accept", "")
    first = accept.split(",")[0].split(";")[0].strip().lower()
    return {"text/csv": "csv", "text/html": "html"}.get(first, "json")


# The report's quota windows reach a period past its instant, which near year 1 or 9999 has no calendar.
REPORT_YEARS = (FIRST_YEAR, LAST_YEAR)


def report_instant(raw: str | None) -> datetime.datetime:
    """The report's instant: ISO 8601 with or without an offset (none: the project's time zone),
    a date (its start), or nothing (now)."""
    if raw is None or raw == "":
        return timezone.now()
    return parse_instant(raw, "at", years=REPORT_YEARS)


class AgreementAccountabilityView(APIView):
    content_negotiation_class = JSONUnlessAsked

    @extend_schema(
        operation_id="agreements_accountability",
        summary="Accountability at an instant",
        description=(
            "The agreement's status and version at `at`, each grant in force with its version, the parties "
            "per area with contact persons, declared and observed use in the quota interval around `at`, and "
            "alerts open at `at` with who acknowledged or resolved them and when."
        ),
        parameters=[
            OpenApiParameter("at", OpenApiTypes.DATETIME, description="The instant (default: now)."),
            OpenApiParameter("format", OpenApiTypes.STR, enum=list(FORMATS), description="json (default), csv or html"),
        ],
        # ?format=csv and ?format=html answer in those types (see the module docstring).
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "text/html"): OpenApiTypes.STR,
        },
    )
    def get(self, request, pk: int):
        agreement = get_object_or_404(agreements_visible_to(actor_for(request.user)), pk=pk)
        fmt = requested_format(request)
        at = report_instant(request.query_params.get("at"))
        report = accountability_report(agreement=agreement, at=at)
        if fmt == "json":
            return Response(report)
        stamp = timezone.localtime(at).strftime("%Y%m%dT%H%M%S")
        if fmt == "csv":
            response = HttpResponse(report_csv(report), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="accountability-{agreement.pk}-{stamp}.csv"'
            return response
        html = report_html(report, generated_at=timezone.now().isoformat(timespec="seconds"), request=request)
        response = HttpResponse(html, content_type="text/html; charset=utf-8")
        response._csp_update = {"style-src": [NONCE]}  # the report's one inline style carries the nonce
        return response
