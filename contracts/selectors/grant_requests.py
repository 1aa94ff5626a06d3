"""Grant requests as each person may see them, and what they ask compared with what is granted."""

import datetime

from django.db.models import Prefetch, Q, QuerySet

from contracts.codes import purpose_covered
from contracts.grant_scope import SCOPE_FIELDS, normalize, terms_of
from contracts.models import Agreement, Dataset, GrantRequest, GrantRequestComment
from contracts.selectors.agreements import agreement_visibility_q
from contracts.selectors.grants import datasets_visible_to
from partnerships.codes import Role
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


def _province_q(region_codes) -> Q:
    q = Q(pk__in=[])
    for province in {code[:2] for code in region_codes}:
        q |= Q(owner__region_code__startswith=province)
    return q


def datasets_requestable_under(agreement: Agreement) -> QuerySet[Dataset]:
    """What a partner may ask for under an agreement: the catalogue of its government's
    province, less the datasets the agreement already has a grant for."""
    region = agreement.government.region_code
    return Dataset.objects.filter(_province_q([region])).exclude(permissions__agreement=agreement)


def datasets_requestable_by(actor: Actor) -> QuerySet[Dataset]:
    """The datasets a person may name in a request: the catalogues of the provinces whose
    governments it is a partner of (another province's catalogue is not an enterprise's to
    browse), and those it sees anyway (an officer who names one is then refused by role)."""
    if actor.is_admin:
        return Dataset.objects.all()
    regions = Agreement.objects.filter(partner_id__in=actor.org_ids(Role.PARTNER)).values_list(
        "government__region_code", flat=True
    )
    return Dataset.objects.filter(_province_q(regions) | Q(pk__in=datasets_visible_to(actor).values("pk")))


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
    """Pending requests filed more than ``days`` days before ``now`` and not yet alerted (unscoped: for the job)."""
    return GrantRequest.objects.filter(
        status="pending", overdue_alerted_at__isnull=True, submitted_at__lte=now - datetime.timedelta(days=days)
    )


def _covers(grant_request: GrantRequest, kind: str, allowed, observed) -> bool:
    """Did the request ask for the use an alert of ``kind`` found (as far as the alert tells)?"""
    asked_recipients = {o.pk for o in grant_request.recipients.all()}
    if kind == "dataset_not_permitted":
        return True
    if kind == "action_not_permitted":
        if isinstance(observed, list) and observed:
            return set(observed) <= set(grant_request.actions)
        return bool(set(grant_request.actions) - set(allowed if isinstance(allowed, list) else []))
    if kind == "purpose_not_permitted":
        if isinstance(observed, str):
            return purpose_covered(observed, grant_request.purposes)
        granted = allowed if isinstance(allowed, list) else []
        return any(not purpose_covered(p, granted) for p in grant_request.purposes)
    if kind == "recipient_not_approved":
        if isinstance(observed, list) and observed:
            return set(observed) <= asked_recipients
        return bool(asked_recipients - set(allowed if isinstance(allowed, list) else []))
    if kind == "quota_exceeded":
        if grant_request.quota_count is None:
            return True
        if isinstance(observed, int):
            return grant_request.quota_count >= observed
        return isinstance(allowed, int) and grant_request.quota_count > allowed
    if kind == "outside_validity":
        granted = allowed if isinstance(allowed, dict) else {}
        until = granted.get("valid_until")
        return grant_request.valid_until is None or (
            until is not None and grant_request.valid_until.isoformat() > until
        )
    return False


def grant_requests_covering(
    actor: Actor,
    *,
    agreement_id: int | None,
    dataset_id: int | None,
    kind: str,
    allowed=None,
    observed=None,
    alert_id: int | None = None,
) -> list[GrantRequest]:
    """The requests an alert shows: pending or refused ones of its agreement and dataset that
    asked for the kind of use it found, and any filed from the alert itself.

    The candidates are few (one agreement, one dataset), so the JSON lists are
    matched here rather than with database-specific JSON operators.
    """
    if agreement_id is None or dataset_id is None:
        return []
    candidates = grant_requests_visible_to(actor).filter(agreement_id=agreement_id, dataset_id=dataset_id)
    out = []
    for grant_request in candidates.order_by("-submitted_at", "-id"):
        if alert_id is not None and grant_request.from_alert_id == alert_id:
            out.append(grant_request)
        elif grant_request.status in ("pending", "refused") and _covers(grant_request, kind, allowed, observed):
            out.append(grant_request)
    return out
