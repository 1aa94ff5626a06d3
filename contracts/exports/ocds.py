"""Agreements as OCDS 1.1 releases, following the OCDS for PPPs profile.

One agreement is one contracting process (one ``ocid``). Its history becomes a
record: a ``contract`` release when it was registered, a ``contractAmendment``
release per amendment and a ``contractUpdate`` or ``contractTermination``
release per status change, each a snapshot of what was recorded by then.
Phases and milestones keep no history of their own, so they appear in the
current release and in the last release of a record only.

The mapping onto the profile's codelists is in ``ocds_codes``.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max, Prefetch, QuerySet
from django.utils import timezone

from contracts.codes import FINAL_AGREEMENT_STATUSES, AgreementModel
from contracts.exports import ocds_codes as codes
from contracts.exports import ocds_parts as parts
from contracts.models import Agreement, AgreementVersion, Milestone, ResponsibilityAssignment

OCDS_VERSION = "1.1"
# The data is written in Chinese first; English names travel as ``name_en``.
RELEASE_LANGUAGE = "zh"

_TERMINATING = FINAL_AGREEMENT_STATUSES


def with_export_history(agreements: QuerySet[Agreement]) -> QuerySet[Agreement]:
    """Load everything a release draws on in a fixed number of queries."""
    return agreements.select_related("government", "partner", "partnership").prefetch_related(
        "versions",
        "transitions",
        "documents__version",
        "phases",
        Prefetch("milestones", queryset=Milestone.objects.select_related("responsible")),
        Prefetch("responsibilities", queryset=ResponsibilityAssignment.objects.select_related("party")),
    )


def ocid_for(agreement: Agreement) -> str:
    return f"{settings.OCDS_OCID_PREFIX}-{agreement.reference}"


# ---------------------------------------------------------------- packages


def release_package(agreements, *, uri: str) -> dict:
    """A release package with the current release of each agreement."""
    releases = [current_release(a) for a in agreements]
    latest = max(releases, key=lambda r: datetime.datetime.fromisoformat(r["date"]))
    return _package(uri=uri, published=latest["date"], releases=releases)


def package_header(*, uri: str, published: datetime.datetime) -> dict:
    """The metadata of a release package, for the bulk export that streams its releases."""
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": codes.instant(published),
        "publisher": {"name": settings.OCDS_PUBLISHER_NAME},
    }


def record_package(agreement: Agreement, *, uri: str) -> dict:
    """A record package: every release from the agreement's history, and the compiled release."""
    releases = history_releases(agreement)
    compiled = current_release(agreement) | {"tag": ["compiled"]}
    record = {"ocid": ocid_for(agreement), "releases": releases, "compiledRelease": compiled}
    return _package(uri=uri, published=compiled["date"], records=[record])


def _package(*, uri: str, published: str, **content) -> dict:
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": published,
        "publisher": {"name": settings.OCDS_PUBLISHER_NAME},
        **content,
    }


def last_change(agreements: QuerySet[Agreement]) -> datetime.datetime | None:
    """When anything a release shows last changed, over many agreements, in the database.

    One aggregate per related table: a single query joining them all would
    multiply the rows by one another before taking the maximum.
    """
    ids = agreements.values("pk")
    candidates = [
        Agreement.objects.filter(pk__in=ids).aggregate(m=Max("updated_at"))["m"],
        AgreementVersion.objects.filter(agreement__in=ids).aggregate(m=Max("created_at"))["m"],
    ]
    for model, field in (("transitions", "at"), ("documents", "uploaded_at"), ("responsibilities", "created_at")):
        related = Agreement._meta.get_field(model).related_model
        candidates.append(related.objects.filter(agreement__in=ids).aggregate(m=Max(field))["m"])
    found = [c for c in candidates if c is not None]
    return max(found) if found else None


# ---------------------------------------------------------------- releases


@dataclass(frozen=True)
class _Step:
    """One recorded change in an agreement's history: one release of its record."""

    at: datetime.datetime
    release_id: str
    tag: str
    version: AgreementVersion | None = None


def _timeline(agreement: Agreement) -> list[_Step]:
    ocid = ocid_for(agreement)
    steps = []
    for version in agreement.versions.all():
        tag = "contract" if version.number == 1 else "contractAmendment"
        steps.append(_Step(version.created_at, f"{ocid}-v{version.number}", tag, version))
    for transition in agreement.transitions.all():
        tag = "contractTermination" if transition.to_status in _TERMINATING else "contractUpdate"
        steps.append(_Step(transition.at, f"{ocid}-t{transition.pk}", tag))
    # Registration comes first even when a transition was back-dated before it.
    return sorted(steps, key=lambda s: (s.tag != "contract", s.at, s.release_id))


def history_releases(agreement: Agreement) -> list[dict]:
    steps = _timeline(agreement)
    return [
        _release(agreement, steps, at=step.at, release_id=step.release_id, tags=[step.tag], plan=(i == len(steps) - 1))
        for i, step in enumerate(steps)
    ]


def current_release(agreement: Agreement) -> dict:
    """The agreement as it stands now, identified by a digest of its content."""
    steps = _timeline(agreement)
    tags = ["contract"]
    if any(s.tag == "contractAmendment" for s in steps):
        tags.append("contractAmendment")
    if agreement.status in _TERMINATING:
        tags.append("contractTermination")
    release = _release(agreement, steps, at=None, release_id="", tags=tags, plan=True)
    digest = hashlib.sha256(json.dumps(release, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return {"ocid": release.pop("ocid"), "id": f"{ocid_for(agreement)}-{digest[:16]}", **release}


def _release(agreement, steps, *, at, release_id, tags, plan) -> dict:
    """A snapshot of what had been recorded by ``at`` (None: now)."""

    def recorded(when):
        return at is None or when <= at

    versions = [v for v in agreement.versions.all() if recorded(v.created_at)]
    terms = agreement.terms() if at is None or not versions else versions[-1].terms
    status = agreement.status if at is None else _status_at(agreement, at)
    moment = at or timezone.now()
    responsibilities = [
        r
        for r in agreement.responsibilities.all()
        if recorded(r.created_at) and r.valid_from <= moment and (r.valid_to is None or r.valid_to > moment)
    ]
    documents = [d for d in agreement.documents.all() if recorded(d.uploaded_at)]
    date = at if at is not None else _latest_change(agreement)

    value = {"amount": parts.amount(terms["value"]), "currency": terms["currency"]}
    period = {
        "startDate": codes.start_of(parts.day(terms["starts_on"])),
        "endDate": codes.end_of(parts.day(terms["ends_on"])),
    }
    contract = {
        "id": agreement.reference,
        "awardID": agreement.reference,
        "title": terms["title"],
        "description": _contract_description(terms, status),
        "status": codes.CONTRACT_STATUS[status],
        "period": period,
        "value": value,
        "dateSigned": codes.start_of(parts.day(terms["signed_on"])),
        "documents": [parts.document(d) for d in documents],
        "milestones": parts.milestones(agreement) if plan else [],
        "amendments": [_amendment(v, steps) for v in versions if v.number > 1],
        "signatories": [parts.reference(agreement.government), parts.reference(agreement.partner)],
        "riskAllocation": parts.risks(agreement, responsibilities),
    }
    award = {
        "id": agreement.reference,
        "title": terms["title"],
        "status": codes.AWARD_STATUS.get(status, "active"),
        "date": codes.start_of(parts.day(terms["signed_on"])),
        "value": value,
        "suppliers": [parts.reference(agreement.partner)],
        "contractPeriod": period,
    }
    release = {
        "ocid": ocid_for(agreement),
        "id": release_id,
        "date": codes.instant(date),
        "tag": tags,
        "initiationType": "tender",
        "language": RELEASE_LANGUAGE,
        "parties": [
            parts.party(agreement.government, codes.GOVERNMENT_ROLES),
            parts.party(agreement.partner, codes.PARTNER_ROLES),
        ],
        "buyer": parts.reference(agreement.government),
        "planning": {"project": parts.project(agreement.partnership)} if agreement.partnership else None,
        "awards": [award],
        "contracts": [contract],
    }
    return parts.clean(release)


def _status_at(agreement: Agreement, at: datetime.datetime) -> str:
    status = "draft"
    for transition in agreement.transitions.all():
        if transition.at <= at:
            status = transition.to_status
    return status


def _latest_change(agreement: Agreement) -> datetime.datetime:
    moments = [agreement.updated_at]
    moments += [v.created_at for v in agreement.versions.all()]
    moments += [t.at for t in agreement.transitions.all()]
    moments += [d.uploaded_at for d in agreement.documents.all()]
    moments += [r.created_at for r in agreement.responsibilities.all()]
    return max(moments)


def _contract_description(terms: dict, status: str) -> str:
    model = terms["model"]
    label = AgreementModel(model).label if model in AgreementModel.values else model
    lines = [terms.get("description") or "", f"Model: {model} ({label})", f"Status in the tracker: {status}"]
    return "\n".join(line for line in lines if line)


def _amendment(version: AgreementVersion, steps: list[_Step]) -> dict:
    ids = [s.release_id for s in steps]
    index = next(i for i, s in enumerate(steps) if s.version is not None and s.version.pk == version.pk)
    return parts.amendment(version, release_id=ids[index], amends_release_id=ids[index - 1] if index else None)
