"""A grant (one version of a DataUsePermission) as an ODRL 2.2 Agreement in JSON-LD.

Shape of the policy:

- the government party is the assigner, the partner the assignee, the dataset the target;
- one permission with the granted actions, constrained by purpose (``isA`` a DPV
  purpose, so the purposes under a granted one are covered; several purposes
  are an ``or``), validity (``dateTime``), quota (``count`` per ``timeInterval``,
  counted in ``unitOfCount``) and recipients (``recipient isAnyOf`` the assignee
  and the approved organizations, so no listed recipient means no onward transfer);
- duties: declaring use (``inform`` the assigner every period, within N days),
  deleting the data after the grant ends (``delete``), anonymizing it (``anonymize``);
- one prohibition with the actions of the tracker's vocabulary that were not
  granted: the grant is default-deny, and this says so in the policy itself.

A suspended or revoked version permits nothing: every action is prohibited, and
a deletion duty still binds the partner, as a policy-level obligation.

Every IRI (policy, parties, dataset) is the API URL of the thing it names.
"""

import datetime

from django.utils import timezone

from contracts.codes import Action
from contracts.exports.jsonld import ODRL_CONTEXT_URL
from contracts.models import PermissionVersion
from partnerships.models import Organization

DPV = "https://w3id.org/dpv#"
# DPV is not part of the ODRL context, so the export declares it itself.
CONTEXT = [ODRL_CONTEXT_URL, {"dpv": DPV}]

INTERVAL_DURATION = {"day": "P1D", "week": "P7D", "month": "P1M", "year": "P1Y"}
SCHEDULE_DURATION = {"monthly": "P1M", "quarterly": "P3M", "yearly": "P1Y"}


class _Iris:
    def __init__(self, base_url: str):
        self.base = base_url.rstrip("/")

    def organization(self, pk) -> str:
        return f"{self.base}/api/v1/organizations/{pk}/"

    def dataset(self, pk) -> str:
        return f"{self.base}/api/v1/datasets/{pk}/"

    def agreement(self, pk) -> str:
        return f"{self.base}/api/v1/agreements/{pk}/"

    def grant(self, pk) -> str:
        return f"{self.base}/api/v1/permissions/{pk}/"

    def policy(self, pk, number) -> str:
        return f"{self.base}/api/v1/permissions/{pk}/odrl/?version={number}"


def grant_policy(version: PermissionVersion, *, base_url: str) -> dict:
    """The ODRL Agreement for one version of a grant."""
    permission = version.permission
    agreement = permission.agreement
    iri = _Iris(base_url)
    government, partner, dataset = agreement.government, agreement.partner, permission.dataset
    rule = {
        "target": iri.dataset(dataset.pk),
        "assigner": iri.organization(government.pk),
        "assignee": iri.organization(partner.pk),
    }
    policy = {
        "@context": CONTEXT,
        "@type": "Agreement",
        "uid": iri.policy(permission.pk, version.number),
        "dct:title": f"{agreement.reference} / {dataset.code}: data-use grant, version {version.number}",
        "dct:description": _status_note(version),
        "dct:isVersionOf": {"@id": iri.grant(permission.pk)},
        "dct:isPartOf": {"@id": iri.agreement(agreement.pk)},
        "dct:issued": _datetime(version.effective_from),
        "assigner": _party(government, iri),
        "assignee": _party(partner, iri),
        "target": {
            "uid": iri.dataset(dataset.pk),
            "@type": "Asset",
            "dct:identifier": dataset.code,
            "dct:title": dataset.name,
        },
    }
    granted = [a for a in Action.values if a in version.actions]
    if version.status == "active":
        recipients = Organization.objects.filter(pk__in=version.recipient_ids).order_by("name", "pk")
        duties = _duties(version, iri, rule, government)
        permission = rule | {"action": granted, "constraint": _constraints(version, iri, partner, recipients)}
        policy["permission"] = [permission | ({"duty": duties} if duties else {})]
    else:
        granted = []
        duties = [d for d in [_deletion(version, rule)] if d]
        if duties:
            policy["obligation"] = [{"assigner": rule["assigner"], "assignee": rule["assignee"]} | d for d in duties]
    # What the partner must do (delete, anonymize) is never also forbidden to it.
    required = {d["action"] for d in duties}
    refused = [a for a in Action.values if a not in granted and a not in required]
    if refused:
        policy["prohibition"] = [rule | {"action": refused}]
    return policy


def _status_note(version: PermissionVersion) -> str:
    if version.status == "active":
        return "Active grant."
    note = f"Grant {version.status}"
    return f"{note}: {version.reason}" if version.reason else f"{note}."


def _party(org, iri: _Iris) -> dict:
    return {
        "uid": iri.organization(org.pk),
        "@type": ["Party", "vcard:Organization"],
        "vcard:fn": org.name,
        "dct:identifier": org.credit_code,
    }


def _constraints(version: PermissionVersion, iri: _Iris, partner, recipients) -> list[dict]:
    purposes = [_constraint("purpose", "isA", {"@id": f"dpv:{p}"}) for p in sorted(version.purposes)]
    out = purposes if len(purposes) == 1 else [{"@type": "LogicalConstraint", "or": {"@list": purposes}}]
    out.append(_constraint("dateTime", "gteq", _datetime(version.valid_from)))
    if version.valid_until is not None:
        out.append(_constraint("dateTime", "lt", _datetime(version.valid_until)))
    if version.quota_count is not None:
        out.append(_constraint("count", "lteq", _typed(version.quota_count, "xsd:integer")))
        if version.quota_interval in INTERVAL_DURATION:  # "total" has no interval: the count is for the whole grant
            out.append(_constraint("timeInterval", "eq", _duration(INTERVAL_DURATION[version.quota_interval])))
        out.append(_constraint("unitOfCount", "eq", version.quota_unit))
    allowed = [partner.pk] + [r.pk for r in recipients if r.pk != partner.pk]
    out.append(_constraint("recipient", "isAnyOf", [{"@id": iri.organization(pk)} for pk in allowed]))
    return out


def _duties(version: PermissionVersion, iri: _Iris, rule: dict, government) -> list[dict]:
    duties = []
    if version.declaration_schedule in SCHEDULE_DURATION:
        duties.append(
            {
                "action": "inform",
                "informedParty": iri.organization(government.pk),
                "constraint": [
                    _constraint("timeInterval", "eq", _duration(SCHEDULE_DURATION[version.declaration_schedule])),
                    _constraint("elapsedTime", "lteq", _duration(f"P{version.declaration_due_days}D")),
                ],
                "dct:description": (
                    f"Declare the use of the dataset {version.declaration_schedule}, "
                    f"within {version.declaration_due_days} days after each period ends."
                ),
            }
        )
    deletion = _deletion(version, rule)
    if deletion:
        duties.append(deletion)
    if version.anonymize_required:
        duties.append(
            {
                "action": "anonymize",
                "target": rule["target"],
                "dct:description": "Anonymize the data before any other use.",
            }
        )
    return duties


def _deletion(version: PermissionVersion, rule: dict) -> dict | None:
    """Delete the data within N days after the grant ends (its validity, or this suspension/revocation)."""
    days = version.delete_within_days
    if days is None:
        return None
    ended = version.valid_until if version.status == "active" else version.effective_from
    description = f"Delete the data within {days} days after the grant ends."
    if ended is None:  # open-ended grant: the deadline runs from whenever it ends
        constraint = _constraint("elapsedTime", "lteq", _duration(f"P{days}D"))
    else:
        constraint = _constraint("dateTime", "lteq", _datetime(ended + datetime.timedelta(days=days)))
    return {"action": "delete", "target": rule["target"], "constraint": [constraint], "dct:description": description}


def _constraint(left: str, operator: str, right) -> dict:
    return {"leftOperand": left, "operator": operator, "rightOperand": right}


def _typed(value, datatype: str) -> dict:
    return {"@value": value, "@type": datatype}


def _datetime(value: datetime.datetime) -> dict:
    return _typed(timezone.localtime(value).isoformat(timespec="seconds"), "xsd:dateTime")


def _duration(value: str) -> dict:
    return _typed(value, "xsd:duration")
