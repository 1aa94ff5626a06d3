"""Refuse what a client sends but we would silently drop.

A partner's system that misspells a field (``ends_at`` for ``ends_on``) or tries to
set one the server owns (``status``) should hear about it, not find out later
that nothing changed.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class StrictFieldsMixin:
    unknown_field_message = _("Unknown field.")
    read_only_field_message = _("This field is read-only.")

    def to_internal_value(self, data):
        if isinstance(data, dict) or hasattr(data, "keys"):
            errors = {}
            for name in data.keys():
                field = self.fields.get(name)
                if field is None:
                    errors[name] = [self.unknown_field_message]
                elif field.read_only:
                    errors[name] = [self.read_only_field_message]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)
