"""Alerts about grant requests: requests left waiting, and alerts a partner answers with a request."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.grant_scope import terms_of
from contracts.models import DataUsePermission, GrantRequest
from contracts.selectors.agreements import can_declare_for
from contracts.selectors.grant_requests import grant_requests_overdue
from contracts.services.grant_requests import grant_request_claim_overdue, grant_request_submit
from notifications.models import Alert, AlertEvent
from notifications.services.alerts import alert_raise
from partnerships.actors import Actor
from partnerships.errors import ConflictError
from partnerships.models import Organization

# Alerts about a use that a grant (or a change to one) could allow.
REQUESTABLE_KINDS = frozenset(
    {
        "dataset_not_permitted",
        "action_not_permitted",
        "purpose_not_permitted",
        "recipient_not_approved",
        "quota_exceeded",
        "outside_validity",
    }
)


def grant_requests_overdue_alert(*, now: datetime.datetime | None = None, days: int | None = None) -> int:
    """One alert per request left pending past ``GRANT_REQUEST_OVERDUE_DAYS``, to the supervisors of
    the government party (and its officers, named accountable for deciding). Returns alerts opened."""
    now = now or timezone.now()
    days = days or settings.GRANT_REQUEST_OVERDUE_DAYS
    opened = 0
    overdue = grant_requests_overdue(now=now, days=days).select_related("agreement", "dataset")
    for grant_request in overdue.order_by("submitted_at", "pk"):
        with transaction.atomic():  # the claim and the alert commit together, or neither does
            if not grant_request_claim_overdue(grant_request_id=grant_request.pk, at=now):
                continue
            agreement = grant_request.agreement
            waited = (now - grant_request.submitted_at).days
            _, created = alert_raise(
                kind="grant_request_overdue",
                dedup_key=f"grant_request_overdue:r{grant_request.pk}",
                summary=(
                    f"Grant request #{grant_request.pk} for {grant_request.dataset.code} under "
                    f"{agreement.reference} has waited {waited} days for a decision"
                ),
                at=now,
                severity="warning",
                agreement=agreement,
                permission_id=grant_request.permission_id,
                dataset=grant_request.dataset,
                government_id=agreement.government_id,
                partner_id=agreement.partner_id,
                accountable_party_id=agreement.government_id,
                rule=f"A grant request is decided within {days} days.",
                allowed={"days": days},
                observed={"waiting_days": waited},
                evidence={
                    "grant_request": grant_request.pk,
                    "kind": grant_request.kind,
                    "submitted_at": grant_request.submitted_at.isoformat(),
                },
            )
            opened += created
    return opened


def _suggested(alert: Alert, granted: dict) -> dict:
    """The change to the grant that would have allowed what the alert observed, where it says."""
    observed = alert.observed
    if alert.kind == "action_not_permitted" and isinstance(observed, list):
        return {"actions": sorted(set(granted["actions"]) | set(observed))}
    if alert.kind == "purpose_not_permitted" and isinstance(observed, str):
        return {"purposes": sorted(set(granted["purposes"]) | {observed})}
    if alert.kind == "recipient_not_approved" and isinstance(observed, list):
        ids = set(granted["recipients"]) | {pk for pk in observed if isinstance(pk, int)}
        return {"recipients": list(Organization.objects.filter(pk__in=ids))}
    if alert.kind == "quota_exceeded" and isinstance(observed, int) and granted["quota_count"] is not None:
        return {"quota_count": max(observed, granted["quota_count"])}
    return {}


@transaction.atomic
def alert_request_file(*, actor: Actor, alert: Alert, justification: str, **asked) -> GrantRequest:
    """A partner answers an alert by asking for the use it found: a change to the grant (pre-filled
    with what the alert observed, then whatever the partner names) or, with no grant, a new one."""
    alert = Alert.objects.select_for_update(of=("self",)).select_related("agreement", "dataset").get(pk=alert.pk)
    if alert.agreement is None or not can_declare_for(actor, alert.agreement):
        raise PermissionDenied(_("Only the partner party of the agreement may ask for a grant."))
    if alert.kind not in REQUESTABLE_KINDS or alert.dataset is None:
        raise ConflictError(_("This alert is not about a use that a grant could allow."), code="not_requestable")
    permission = DataUsePermission.objects.filter(agreement=alert.agreement, dataset=alert.dataset).first()
    if permission is not None:
        asked = _suggested(alert, terms_of(permission)) | asked
    grant_request = grant_request_submit(
        actor=actor,
        agreement=alert.agreement,
        kind="change" if permission is not None else "new",
        permission=permission,
        dataset=alert.dataset,
        justification=justification,
        from_alert_id=alert.pk,
        **asked,
    )
    AlertEvent.objects.create(
        alert=alert,
        action="request_filed",
        actor=actor.user,
        comment=_("Grant request #%(id)d filed in answer.") % {"id": grant_request.pk},
    )
    return grant_request
