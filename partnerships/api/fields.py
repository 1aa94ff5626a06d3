"""Clients may name an agreement, dataset or organization by id or by its unique code."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers


def is_id(text: str) -> bool:
    """Whether text written by a client can be an id: ASCII digits within PostgreSQL's bigint.

    str.isdigit() alone is true for "²" and "①", which int() refuses, and for full-width
    "３", which int() reads as 3; 19 digits may pass the largest bigint.
    """
    return text.isascii() and text.isdigit() and len(text) < 19


class InstantField(serializers.DateTimeField):
    """A date-time whose conversion overflows is a field error, not a 500.

    DRF reads a time without an offset in the local zone and checks it by converting it to UTC:
    the year 1 in Asia/Shanghai is before the year 1 in UTC, which Python cannot represent.
    """

    default_error_messages = {"overflow": _("This instant is out of range.")}

    def to_internal_value(self, value):
        try:
            return super().to_internal_value(value)
        except OverflowError:
            self.fail("overflow")


class IdOrCodeRelatedField(serializers.RelatedField):
    """Accepts an integer id or the object's unique code; renders the id.

    ``code_field`` is the unique field clients know (``reference``, ``code``, ``credit_code``).
    The queryset decides what the client may name: pass one already scoped to the
    requesting user (override ``get_queryset``) so a foreign object reads as unknown.
    """

    default_error_messages = {
        "does_not_exist": _("No {label} with id or code {value}."),
        "incorrect_type": _("Give an id (integer) or a code (string)."),
    }

    def __init__(self, *, code_field: str, label_text: str = "object", **kwargs):
        self.code_field = code_field
        self.label_text = label_text
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        queryset = self.get_queryset()
        if isinstance(data, bool) or not isinstance(data, (int, str)) or data == "":
            self.fail("incorrect_type")
        if isinstance(data, str) and "\x00" in data:
            self.fail("incorrect_type")
        lookups = [{self.code_field: data}] if isinstance(data, str) else []
        if isinstance(data, int) or (isinstance(data, str) and is_id(data)):
            lookups.insert(0, {"pk": int(data)})
        for lookup in lookups:
            obj = queryset.filter(**lookup).first()
            if obj is not None:
                return obj
        self.fail("does_not_exist", label=self.label_text, value=str(data)[:64])

    def to_representation(self, value):
        return value.pk


class IdOrCodeFieldExtension(OpenApiSerializerFieldExtension):
    """In the OpenAPI schema: an id or a code in, the id out."""

    target_class = IdOrCodeRelatedField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            return build_basic_type(OpenApiTypes.INT)
        return {
            "oneOf": [build_basic_type(OpenApiTypes.INT), build_basic_type(OpenApiTypes.STR)],
            "description": f"id or {self.target.code_field}",
        }
