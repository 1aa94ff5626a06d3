"""Content negotiation that answers an unknown ``?format=`` with a 400 naming the parameter.

DRF's default raises 404 there, which reads as "no such object" to a client that only
misspelt the format.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation


class FormatCheckingNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Http404:
            formats = sorted({r.format for r in renderers})
            raise ValidationError({"format": [_("Unknown format; use one of: %s.") % ", ".join(formats)]}) from None
