"""The parts of an OCDS release: parties, documents, amendments, milestones, risks.

Each function maps tracker rows onto one OCDS object; ``ocds_codes`` holds the
codelist mappings they use.
"""

import datetime
from decimal import Decimal

from django.urls import reverse

from contracts.codes import Area, PhaseKind
from contracts.exports import ocds_codes as codes
from contracts.models import Agreement, AgreementVersion, ResponsibilityAssignment

_RACI_ORDER = (("A", "Accountable"), ("R", "Responsible"), ("C", "Consulted"), ("I", "Informed"))


def party_id(org) -> str:
    return f"{scheme(org)}-{org.credit_code}"


def scheme(org) -> str:
    return codes.IDENTIFIER_SCHEME.get(org.kind, codes.PUBLIC_BODY_SCHEME)


def party(org, roles) -> dict:
    return {
        "id": party_id(org),
        "name": org.name,
        "name_en": org.name_en,
        "identifier": {"scheme": scheme(org), "id": org.credit_code, "legalName": org.name},
        "roles": roles,
        "details": {"organizationKind": org.kind, "regionCode": org.region_code},
    }


def reference(org) -> dict:
    return {"id": party_id(org), "name": org.name}


def project(partnership) -> dict:
    return {"id": str(partnership.pk), "title": partnership.name, "description": partnership.description}


def document(document, site: str | None) -> dict:
    """A document, with the hash kept on record and, given the site's root URL, where to download it."""
    notes = [f"SHA-256: {document.sha256}", f"Size: {document.size} bytes"]
    if document.version is not None:
        notes.append(f"Filed with version {document.version.number}")
    return {
        "id": str(document.pk),
        "documentType": document.document_type,
        "title": document.title,
        "description": "; ".join(notes),
        "url": _download_url(document, site) if site else None,
        "datePublished": codes.instant(document.uploaded_at),
        "format": document.content_type,
    }


def _download_url(document, site: str) -> str:
    path = reverse("agreement-document-download", kwargs={"agreement_id": document.agreement_id, "pk": document.pk})
    return site.rstrip("/") + path


def amendment(version: AgreementVersion, *, release_id: str, amends_release_id: str | None) -> dict:
    """An amendment, linked to the record's release that recorded it and the one before."""
    changes = "; ".join(f"{name}: {before!r} -> {after!r}" for name, (before, after) in sorted(version.changes.items()))
    return {
        "id": str(version.number),
        "date": codes.start_of(version.effective_on),
        "rationale": version.rationale,
        "description": f"Version {version.number}, effective {version.effective_on.isoformat()}. Changed {changes}.",
        "releaseID": release_id,
        "amendsReleaseID": amends_release_id,
    }


def milestones(agreement: Agreement) -> list[dict]:
    out = []
    for phase in agreement.phases.all():
        label = PhaseKind(phase.kind).label if phase.kind in PhaseKind.values else phase.kind
        for edge, planned, actual in (
            ("start", phase.planned_start, phase.actual_start),
            ("end", phase.planned_end, phase.actual_end),
        ):
            if planned is None and actual is None:
                continue
            to_text = codes.start_of if edge == "start" else codes.end_of
            out.append(
                {
                    "id": f"phase-{phase.kind}-{edge}",
                    "title": f"{label} phase {'starts' if edge == 'start' else 'ends'}",
                    "type": "delivery",
                    "code": codes.PHASE_MILESTONE_CODES.get((phase.kind, edge)),
                    "dueDate": to_text(planned),
                    "dateMet": to_text(actual),
                    "status": "met" if actual else "scheduled",
                }
            )
    for milestone in agreement.milestones.all():
        description = [milestone.description, f"Responsible: {milestone.responsible.name}"]
        out.append(
            {
                "id": f"milestone-{milestone.pk}",
                "title": milestone.title,
                "type": codes.MILESTONE_TYPE.get(milestone.kind, "delivery"),
                "description": "\n".join(d for d in description if d),
                "dueDate": codes.end_of(milestone.due_on),
                "dateMet": codes.start_of(milestone.met_on),
                "status": milestone.status,
            }
        )
    return out


def risks(agreement: Agreement, responsibilities) -> list[dict]:
    by_area: dict[str, list] = {}
    for r in responsibilities:
        by_area.setdefault(r.area, []).append(r)
    out = []
    for area in Area.values:
        rows = by_area.get(area)
        if not rows:
            continue
        accountable = next((r for r in rows if r.raci == "A"), None)
        if accountable is None:
            allocation = codes.ALLOCATION_UNDEFINED
        elif accountable.party_id == agreement.government_id:
            allocation = codes.ALLOCATION_GOVERNMENT
        elif accountable.party_id == agreement.partner_id:
            allocation = codes.ALLOCATION_PARTNER
        else:
            allocation = codes.ALLOCATION_UNDEFINED
        notes = []
        for letter, word in _RACI_ORDER:
            names = sorted({who(r) for r in rows if r.raci == letter})
            if names:
                notes.append(f"{word}: {', '.join(names)}")
        if accountable is None:
            notes.insert(0, "No accountable party is assigned")
        out.append(
            {
                "id": area,
                "category": codes.RISK_CATEGORY[area],
                "description": str(Area(area).label),
                "allocation": allocation,
                "notes": ". ".join(notes) + ".",
            }
        )
    return out


def who(assignment: ResponsibilityAssignment) -> str:
    contact = f" (contact: {assignment.contact_name})" if assignment.contact_name else ""
    return f"{assignment.party.name}{contact}"


def day(value) -> datetime.date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def amount(value) -> int | float:
    """OCDS amounts are JSON numbers; whole amounts stay exact integers."""
    amount = Decimal(str(value))
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def clean(value):
    """Drop empty values: OCDS asks publishers to omit a field rather than send it empty."""
    if isinstance(value, dict):
        cleaned = {k: clean(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        cleaned = [clean(v) for v in value]
        return [v for v in cleaned if v not in (None, "", [], {})]
    return value
