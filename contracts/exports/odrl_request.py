"""A grant request as an ODRL 2.2 ``Request`` in JSON-LD.

The same shape as the grant export (contracts/exports/odrl.py), so what was asked
and what was granted compare rule by rule: the partner is the assignee asking,
the government party the assigner asked, the dataset the target; one permission
with the asked actions, constraints (purpose, validity, quota, recipients) and
duties. A change request points at the grant version it asks to change.
A request proposes; it prohibits nothing, so it carries no prohibition.
"""

from types import SimpleNamespace

from contracts.codes import Action
from contracts.exports.odrl import CONTEXT, _constraints, _datetime, _duties, _Iris, _party
from contracts.models import GrantRequest
from contracts.models.permissions import GRANT_TERMS
from partnerships.models import Organization


def request_policy(grant_request: GrantRequest, *, base_url: str) -> dict:
    agreement = grant_request.agreement
    government, partner, dataset = agreement.government, agreement.partner, grant_request.dataset
    iri = _Iris(base_url)
    recipient_ids = sorted(o.pk for o in grant_request.recipients.all())
    # The grant export reads a version's terms; the request has the same terms, asked rather than granted.
    asked = SimpleNamespace(
        **{name: getattr(grant_request, name) for name in GRANT_TERMS},
        status="active",
        recipient_ids=recipient_ids,
        effective_from=grant_request.submitted_at,
    )
    rule = {
        "target": iri.dataset(dataset.pk),
        "assigner": iri.organization(government.pk),
        "assignee": iri.organization(partner.pk),
    }
    recipients = Organization.objects.filter(pk__in=recipient_ids).order_by("name", "pk")
    permission = rule | {
        "action": [a for a in Action.values if a in grant_request.actions],
        "constraint": _constraints(asked, iri, partner, recipients),
    }
    duties = _duties(asked, iri, rule, government)
    if duties:
        permission["duty"] = duties
    policy = {
        "@context": CONTEXT,
        "@type": "Request",
        "uid": f"{iri.base}/api/v1/grant-requests/{grant_request.pk}/odrl/",
        "dct:title": f"{agreement.reference} / {dataset.code}: grant request #{grant_request.pk} ({grant_request.kind})",
        "dct:description": grant_request.justification,
        "dct:issued": _datetime(grant_request.submitted_at),
        "dct:isPartOf": {"@id": iri.agreement(agreement.pk)},
        "assigner": _party(government, iri),
        "assignee": _party(partner, iri),
        "target": {"uid": iri.dataset(dataset.pk), "@type": "Asset", "dct:identifier": dataset.code, "dct:title": dataset.name},
        "permission": [permission],
    }
    if grant_request.kind == "change" and grant_request.permission_id:
        policy["dct:references"] = {"@id": iri.policy(grant_request.permission_id, grant_request.base_version)}
    return policy
