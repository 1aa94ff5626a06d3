"""POST /api/v1/usage-events/: observed access records in bulk, one event per line.

The body is streamed: this view never touches ``request.data`` or
``request.body`` (either would hold the whole body in memory), it hands the
service a ``read`` function over the request stream. The size limit is
enforced here and while reading, because Django's DATA_UPLOAD_MAX_MEMORY_SIZE
only guards ``request.body`` and form parsing.
"""

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, UnsupportedMediaType
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.services.usage_event_input import BodyTooLarge
from contracts.services.usage_events import CSV, NDJSON, usage_events_ingest
from partnerships.actors import actor_for

FORMATS = {"application/x-ndjson": NDJSON, "application/ndjson": NDJSON, "text/csv": CSV}


class BodyTooLargeError(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self, limit: int):
        super().__init__(f"The body is larger than {limit} bytes; send the events in several requests.")


class RejectedLineSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="Line number in the body, from 1 (a CSV header is line 1).")
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class UsageIngestReportSerializer(serializers.Serializer):
    accepted = serializers.IntegerField(help_text="Events stored by this request.")
    duplicates = serializers.IntegerField(help_text="Events already stored (same source and event_id), or repeated.")
    rejected = RejectedLineSerializer(many=True, help_text="Refused lines (the first 1000).")
    rejected_count = serializers.IntegerField(help_text="How many lines were refused in all.")


def _body_reader(request):
    """``read(n)`` over the request body, including a chunked one that a WSGI server terminates."""
    meta = request.META
    if not meta.get("CONTENT_LENGTH") and meta.get("wsgi.input_terminated"):
        return meta["wsgi.input"].read
    return request._request.read


_BODY_SCHEMA = {"type": "string", "format": "binary"}


class UsageEventIngest(APIView):
    @extend_schema(
        operation_id="usage_events_ingest",
        description=(
            "One event per line, as `application/x-ndjson` (a JSON object per line) or `text/csv` "
            "(a header line, then one event per line). Fields: `source`, `event_id` (unique per source), "
            "`occurred_at` (ISO 8601), `agreement` (id or reference), `dataset` (id or code), `action`, "
            "`purpose`, `record_count` (default 1), `recipient` (optional organization id or credit code). "
            "Valid lines are stored even when others are refused; re-sent events count as duplicates."
        ),
        request={"application/x-ndjson": _BODY_SCHEMA, "text/csv": _BODY_SCHEMA},
        responses={
            200: UsageIngestReportSerializer,
            400: OpenApiResponse(description="Not events at all (e.g. a bad CSV header); nothing stored"),
            413: OpenApiResponse(description="Body over the configured size; nothing stored"),
            415: OpenApiResponse(description="Neither application/x-ndjson nor text/csv"),
        },
    )
    def post(self, request):
        body_format = FORMATS.get(request.content_type.split(";")[0].strip().lower())
        if body_format is None:
            raise UnsupportedMediaType(request.content_type or "(none)")
        limit = settings.USAGE_EVENTS_MAX_BODY_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            raise BodyTooLargeError(limit)
        try:
            report = usage_events_ingest(
                actor=actor_for(request.user), read=_body_reader(request), body_format=body_format, max_bytes=limit
            )
        except BodyTooLarge:
            raise BodyTooLargeError(limit) from None
        return Response(report.as_dict(), status=status.HTTP_200_OK)
