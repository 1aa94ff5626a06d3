"""Agreements as OCDS 1.1 releases, following the OCDS for PPPs profile.

One agreement is one contracting process (one ``ocid``). Its history becomes a
record: a ``contract`` release when it was registered, a ``contractAmendment``
release per amendment and a ``contractUpdate`` or ``contractTermination``
release per status change, each a snapshot of what was recorded by then.
Phases and milestones keep no history of their own, so they appear in the
current release and in the last release of a record only. Documents and
responsibilities recorded after the last change come in a final
``implementation`` release.

The mapping onto the profile's codelists is in ``ocds_codes``.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass, replace

from django.conf import settings
from django.db.models import Max, Prefetch, QuerySet
from django.utils import timezone

from contracts.codes import FINAL_AGREEMENT_STATUSES, AgreementModel
from contracts.exports import ocds_codes as codes
from contracts.exports import ocds_parts as parts
from contracts.exports.currencies import OCDS_CURRENCIES
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


def release_package(agreements, *, uri: str, site: str | None = None) -> dict:
    """A release package with the current release of each agreement.

    ``site`` is the root URL of the tracker, for the links to download documents.
    """
    releases = [current_release(a, site=site) for a in agreements]
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


def record_package(agreement: Agreement, *, uri: str, site: str | None = None) -> dict:
    """A record package: every release from the agreement's history, and the compiled release."""
    releases = history_releases(agreement, site=site)
    compiled = current_release(agreement, site=site) | {"tag": ["compiled"]}
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

    date: datetime.datetime
    release_id: str
    tag: str
    version: AgreementVersion | None = None
    to_status: str | None = None


@dataclass(frozen=True)
class _Snapshot:
    """What a release shows: the state after some steps, as recorded by ``date``."""

    date: datetime.datetime
    terms: dict
    status: str
    versions: list
    recorded_by: datetime.datetime | None  # None: everything recorded so far
    in_force_at: datetime.datetime
    plan: bool  # phases and milestones, which have no history of their own


def _timeline(agreement: Agreement) -> list[_Step]:
    """The recorded changes in order: registration first, then by date.

    A status change may be recorded with an earlier effective date than the
    registration (``at`` back-dated); a record's releases must be in date
    order, so such a release is dated no earlier than the one before it.
    """
    ocid = ocid_for(agreement)
    registered, later = [], []
    for version in agreement.versions.all():
        tag = "contract" if version.number == 1 else "contractAmendment"
        (registered if version.number == 1 else later).append(
            _Step(version.created_at, f"{ocid}-v{version.number}", tag, version=version)
        )
    for transition in agreement.transitions.all():
        tag = "contractTermination" if transition.to_status in _TERMINATING else "contractUpdate"
        later.append(_Step(transition.at, f"{ocid}-t{transition.pk}", tag, to_status=transition.to_status))
    steps = []
    for step in registered + sorted(later, key=lambda s: (s.date, s.release_id)):
        if steps and step.date < steps[-1].date:
            step = replace(step, date=steps[-1].date)
        steps.append(step)
    return steps


def history_releases(agreement: Agreement, *, site: str | None = None) -> list[dict]:
    """One release per recorded change, then one for anything recorded since (documents,
    responsibilities) as an ``implementation`` release; the last carries the plan."""
    steps = _timeline(agreement)
    if not steps:  # an agreement stored without its first version: only its present state is known
        return [current_release(agreement, site=site)]
    snapshots = []
    for i, step in enumerate(steps):
        done = steps[: i + 1]
        versions = [s.version for s in done if s.version is not None]
        statuses = [s.to_status for s in done if s.to_status is not None]
        snapshot = _Snapshot(
            date=step.date,
            terms=versions[-1].terms if versions else agreement.terms(),
            status=statuses[-1] if statuses else "draft",
            versions=versions,
            recorded_by=step.date,
            in_force_at=step.date,
            plan=False,
        )
        snapshots.append((snapshot, step.release_id, [step.tag]))
    since = _recorded_since(agreement, steps[-1].date)
    if since is not None:
        snapshots.append((_current(agreement, date=since), None, ["implementation"]))
    last, release_id, tags = snapshots[-1]
    snapshots[-1] = (replace(last, plan=True), release_id, tags)
    return [
        _release(agreement, steps, snapshot, release_id=rid, tags=tags, site=site) for snapshot, rid, tags in snapshots
    ]


def current_release(agreement: Agreement, *, site: str | None = None) -> dict:
    """The agreement as it stands now, identified by a digest of its content."""
    steps = _timeline(agreement)
    tags = ["contract"]
    if any(s.tag == "contractAmendment" for s in steps):
        tags.append("contractAmendment")
    if agreement.status in _TERMINATING:
        tags.append("contractTermination")
    return _release(
        agreement, steps, _current(agreement, date=_latest_change(agreement)), release_id=None, tags=tags, site=site
    )


def _current(agreement: Agreement, *, date: datetime.datetime) -> _Snapshot:
    return _Snapshot(
        date=date,
        terms=agreement.terms(),
        status=agreement.status,
        versions=list(agreement.versions.all()),
        recorded_by=None,
        in_force_at=timezone.now(),
        plan=True,
    )


def _release(agreement, steps, snap: _Snapshot, *, release_id: str | None, tags: list[str], site: str | None) -> dict:
    """A release showing ``snap``; without an id, one is made from a digest of its content."""

    def recorded(when):
        return snap.recorded_by is None or when <= snap.recorded_by

    terms, status, moment = snap.terms, snap.status, snap.in_force_at
    responsibilities = [
        r
        for r in agreement.responsibilities.all()
        if recorded(r.created_at) and r.valid_from <= moment and (r.valid_to is None or r.valid_to > moment)
    ]
    documents = [d for d in agreement.documents.all() if recorded(d.uploaded_at)]

    currency = terms["currency"] if terms["currency"] in OCDS_CURRENCIES else None
    value = {"amount": parts.amount(terms["value"]), "currency": currency}
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
        "documents": [parts.document(d, site) for d in documents],
        "milestones": parts.milestones(agreement) if snap.plan else [],
        "amendments": [_amendment(v, steps) for v in snap.versions if v.number > 1],
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
    release = parts.clean(
        {
            "ocid": ocid_for(agreement),
            "id": release_id,
            "date": codes.instant(snap.date),
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
    )
    if release_id is None:
        digest = hashlib.sha256(json.dumps(release, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        release = {"ocid": release.pop("ocid"), "id": f"{ocid_for(agreement)}-{digest[:16]}", **release}
    return release


def _recorded_since(agreement: Agreement, after: datetime.datetime) -> datetime.datetime | None:
    """The last time a document or responsibility was recorded after ``after``, if one was."""
    moments = [d.uploaded_at for d in agreement.documents.all()]
    moments += [r.created_at for r in agreement.responsibilities.all()]
    later = [m for m in moments if m > after]
    return max(later) if later else None


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
    if terms["currency"] not in OCDS_CURRENCIES:
        lines.append(f"Currency: {terms['currency']} (not an ISO 4217 code)")
    return "\n".join(line for line in lines if line)


def _amendment(version: AgreementVersion, steps: list[_Step]) -> dict:
    ids = [s.release_id for s in steps]
    index = next(i for i, s in enumerate(steps) if s.version is not None and s.version.pk == version.pk)
    return parts.amendment(version, release_id=ids[index], amends_release_id=ids[index - 1] if index else None)
