"""The audit trail as a page, for auditors and administrators."""

import json

from csp.constants import NONCE
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from partnerships.actors import actor_for
from partnerships.audit.filters import AuditEntryFilter
from partnerships.audit.selectors import audit_entries_visible_to

PAGE_SIZE = 50


def _pretty(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)


@login_required
def audit_trail(request):
    entries = audit_entries_visible_to(actor_for(request.user)).order_by("-seq")
    filters = AuditEntryFilter(request.GET, queryset=entries)
    page = Paginator(filters.qs if filters.is_valid() else entries.none(), PAGE_SIZE).get_page(request.GET.get("page"))
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
