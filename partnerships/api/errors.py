"""One JSON error shape for the whole API.

DRF already answers validation errors field by field; this adds the cases it
leaves to Django (a domain rule broken in a service, an integrity error from a
database constraint) so that none of them becomes a 500.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from partnerships.errors import ConflictError


def exception_handler(exc, context):
    response = _error_response(exc, context)
    request = context.get("request")
    if response is not None and request is not None:
        # Errors are JSON whatever was asked for (?format=csv, ld+json...): clients parse one shape.
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    return response


def _error_response(exc, context):
    if isinstance(exc, ConflictError):
        return Response({"detail": exc.message, "code": exc.code}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                ("non_field_errors" if k == "__all__" else k): [str(m) for m in v]
                for k, v in exc.message_dict.items()
            }
        else:
            detail = {"non_field_errors": [str(m) for m in exc.messages]}
        exc = ValidationError(detail)
    if isinstance(exc, IntegrityError):
        return Response(
            {"detail": "The request conflicts with data already stored.", "code": "integrity"},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)
