"""Grant requests as each person may see them, and what they ask compared with what is granted."""

import datetime

from django.db.models import Prefetch, QuerySet

from contracts.codes import purpose_covered
from contracts.grant_scope import SCOPE_FIELDS, normalize, terms_of
from contracts.models import GrantRequest, GrantRequestComment
from contracts.selectors.agreements import agreement_visibility_q
from partnerships.actors import Actor


def grant_requests_visible_to(actor: Actor) -> QuerySet[GrantRequest]:
    """The partner sees its own, officers their agency's, supervisors and auditors their jurisdiction's."""
    return (
        GrantRequest.objects.filter(agreement_visibility_q(actor, "agreement__"))
        .select_related(
            "agreement",
            "agreement__government",
            "agreement__partner",
            "dataset",
            "permission",
            "resulting_version",
            "submitted_by",
            "decided_by",
        )
        .prefetch_related(
            "recipients",
            Prefetch("comments", queryset=GrantRequestComment.objects.select_related("author")),
            "attachments",
        )
    )


def grant_request_changes(grant_request: GrantRequest) -> list[dict]:
    """Each scope field where the request differs from the grant (every asked field for a new grant).

    For a decided change request the comparison is with the grant as it was when asked.
    """
    asked = terms_of(grant_request)
    if grant_request.kind == "new" or grant_request.permission is None:
        granted = {}
    else:
        base = grant_request.permission.versions.filter(number=grant_request.base_version).first()
        granted = normalize(terms_of(base if base is not None else grant_request.permission))
    out = []
    for name in SCOPE_FIELDS:
        if name not in granted or granted[name] != asked[name]:
            out.append({"field": name, "granted": granted.get(name), "asked": asked[name]})
    return out


def grant_request_approved_terms(grant_request: GrantRequest) -> dict | None:
    """The scope the decision granted: the resulting grant version's terms."""
    if grant_request.resulting_version is None:
        return None
    return terms_of(grant_request.resulting_version)


def grant_requests_overdue(*, now: datetime.datetime, days: int) -> QuerySet[GrantRequest]:
    """Pending requests filed more than ``days`` days before ``now`` (unscoped: for the alerting job)."""
    return GrantRequest.objects.filter(status="pending", submitted_at__lte=now - datetime.timedelta(days=days))


def grant_requests_covering(
    *, agreement_id: int, dataset_id: int | None, action: str | None = None, purpose: str | None = None
) -> list[GrantRequest]:
    """Pending or refused requests of an agreement and dataset that asked for this kind of use.

    An alert about an action or purpose outside the grant shows these, so the
    supervisor sees whether the partner had asked for it (and what was decided).
    The candidates are few (one agreement, one dataset), so the JSON lists are
    matched here rather than with database-specific JSON operators.
    """
    if dataset_id is None:
        return []
    candidates = GrantRequest.objects.filter(
        agreement_id=agreement_id, dataset_id=dataset_id, status__in=["pending", "refused"]
    ).order_by("-submitted_at", "-id")
    out = []
    for grant_request in candidates:
        if action and action not in grant_request.actions:
            continue
        if purpose and not purpose_covered(purpose, grant_request.purposes):
            continue
        out.append(grant_request)
    return out
