"""The audit trail as a page, for auditors and administrators."""

import json

from csp.constants import NONCE
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext
from rest_framework.exceptions import ValidationError as RefusedFilter

from partnerships.actors import actor_for
from partnerships.audit.filters import AuditEntryFilter
from partnerships.audit.selectors import audit_entries_visible_to

PAGE_SIZE = 50


def _pretty(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)


def _messages(detail) -> list[str]:
    """A DRF error's messages, flat; the filters' messages are English, shown translated where they are."""
    if isinstance(detail, dict):
        return [message for inner in detail.values() for message in _messages(inner)]
    if isinstance(detail, (list, tuple)):
        return [message for inner in detail for message in _messages(inner)]
    return [gettext(str(detail))]


def _filtered(filters, entries):
    """The entries the filters select, or none when a filter's value is refused.

    The filters are the API's too: a value the form takes but the query cannot (an instant too
    far off to compare in UTC) is refused as the API refuses it, with DRF's ValidationError,
    which a page must catch itself. The message goes beside the filter given that value.
    """
    if not filters.is_valid():
        return entries.none()
    try:
        return filters.qs
    except RefusedFilter as refused:
        for name, value in list(filters.form.cleaned_data.items()):
            try:
                filters.filters[name].filter(entries, value)
            except RefusedFilter as exc:
                for message in _messages(exc.detail):
                    filters.form.add_error(name, message)
        if filters.form.is_valid():  # not traced to one filter: said on top
            for message in _messages(refused.detail):
                filters.form.add_error(None, message)
        return entries.none()


@login_required
def audit_trail(request):
    entries = audit_entries_visible_to(actor_for(request.user)).order_by("-seq")
    filters = AuditEntryFilter(request.GET, queryset=entries)
    page = Paginator(_filtered(filters, entries), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(entry, _pretty(entry.before), _pretty(entry.after)) for entry in page]
    query = request.GET.copy()
    query.pop("page", None)
    response = render(
        request,
        "partnerships/audit_trail.html",
        {"filters": filters, "page": page, "rows": rows, "query": query.urlencode()},
        status=200 if filters.is_valid() else 400,
    )
    response._csp_update = {"style-src": [NONCE]}
    return response
