"""Data-use grants with quotas, recipients and a history of changes and status changes."""

from contracts.demo.common import as_user, instant
from contracts.demo.parties import org
from contracts.models import Agreement, DataUsePermission, Dataset
from contracts.services.permissions import permission_change, permission_grant, permission_set_status

# Each grant: agreement, dataset, its first terms, and then what happened to it
# ("history": change / suspend / reinstate / revoke, at an instant, with a reason).
GRANTS = [
    {
        "agreement": "ZD-BOT-2024-001", "dataset": "BDB-POP-STATS",
        "actions": ["read", "aggregate", "derive"], "purposes": ["PublicBenefit"],
        "valid_from": "2024-04-01 00:00", "valid_until": "2039-04-01 00:00",
        "quota": (1_000_000, "month", "records"), "recipients": [],
        "history": [("change", "2025-11-01 00:00", "二期扩容 Phase II expansion", {"quota_count": 2_000_000})],
    },
    {
        "agreement": "ZD-BOT-2024-001", "dataset": "BDB-LEGAL-ENTITY",
        "actions": ["read", "reproduce"], "purposes": ["ServiceProvision"],
        "valid_from": "2024-04-01 00:00", "valid_until": None,
        "quota": (200_000, "month", "records"), "recipients": [],
    },
    {
        "agreement": "ZD-BOT-2024-001", "dataset": "BDB-SOCIAL-SEC",
        "actions": ["read", "anonymize", "aggregate"], "purposes": ["ImprovePublicServices"],
        "valid_from": "2025-01-01 00:00", "valid_until": "2027-01-01 00:00",
        "quota": (50_000, "month", "records"), "recipients": [],
        "anonymize_required": True, "delete_within_days": 30, "declaration_schedule": "monthly", "declaration_due_days": 10,
        "history": [
            ("suspend", "2025-08-12 14:00", "抽查发现未脱敏导出 Spot check found an export without anonymisation", None),
            ("reinstate", "2025-09-01 09:00", "整改完成并复核 Remediated and re-checked", None),
        ],
    },
    {
        "agreement": "ZD-JV-2025-002", "dataset": "BDB-GRID-BASE",
        "actions": ["read", "derive", "reproduce", "distribute"], "purposes": ["PublicBenefit", "ServiceProvision"],
        "valid_from": "2025-02-01 00:00", "valid_until": "2030-02-01 00:00",
        "quota": (10_000, "day", "requests"), "recipients": ["yunhai"],
        "declaration_schedule": "quarterly", "declaration_due_days": 15,
    },
    {
        "agreement": "ZD-JV-2025-002", "dataset": "BDB-POP-STATS",
        "actions": ["read", "aggregate"], "purposes": ["ResearchAndDevelopment"],
        "valid_from": "2025-02-01 00:00", "valid_until": "2028-02-01 00:00",
        "quota": (5_000_000, "total", "records"), "recipients": [],
        "history": [
            ("change", "2026-01-10 10:00", "研究院加入联合研究 Institute joins the joint research",
             {"recipients": ["institute"], "purposes": ["NonCommercialResearch", "ScientificResearch"]}),
        ],
    },
    {
        "agreement": "ZD-SVC-2025-003", "dataset": "PSD-TRAFFIC",
        "actions": ["read", "aggregate", "derive"], "purposes": ["ProtectionOfPublicSecurity", "ImprovePublicServices"],
        "valid_from": "2025-03-15 00:00", "valid_until": "2028-03-15 00:00",
        "quota": (10_000_000, "month", "records"), "recipients": [],
    },
    {
        "agreement": "ZD-SVC-2025-003", "dataset": "PSD-VEHICLE",
        "actions": ["read"], "purposes": ["ProtectionOfPublicSecurity"],
        "valid_from": "2025-03-15 00:00", "valid_until": "2028-03-15 00:00",
        "quota": (100_000, "month", "records"), "recipients": [],
        "anonymize_required": True, "delete_within_days": 7,
    },
    {
        "agreement": "ZD-SVC-2025-003", "dataset": "PSD-CCTV-SITES",
        "actions": ["read"], "purposes": ["EnforceSecurity"],
        "valid_from": "2025-03-15 00:00", "valid_until": "2026-03-15 00:00",
        "quota": (1, "total", "requests"), "recipients": [], "declaration_schedule": "none",
    },
    {
        "agreement": "ZD-SVC-2025-004", "dataset": "HC-EHR",
        "actions": ["read", "anonymize"], "purposes": ["ImprovePublicServices"],
        "valid_from": "2025-01-10 00:00", "valid_until": "2028-01-01 00:00",
        "quota": (20_000, "month", "records"), "recipients": [],
        "anonymize_required": True, "delete_within_days": 15,
        "history": [("suspend", "2026-09-20 15:30", "疑似数据泄露 Suspected data leak", None)],
    },
    {
        "agreement": "ZD-SVC-2025-004", "dataset": "HC-HOSP-RES",
        "actions": ["read", "aggregate"], "purposes": ["ProvideOfficialStatistics"],
        "valid_from": "2025-01-10 00:00", "valid_until": "2028-01-01 00:00",
        "quota": (None, "month", "records"), "recipients": [], "declaration_schedule": "quarterly",
    },
    {
        "agreement": "ZD-SVC-2023-006", "dataset": "HC-VACC",
        "actions": ["read", "aggregate"], "purposes": ["ProtectionOfPublicSecurity"],
        "valid_from": "2023-07-01 00:00", "valid_until": "2025-07-01 00:00",
        "quota": (500_000, "month", "records"), "recipients": ["institute"],
        "anonymize_required": True, "delete_within_days": 30,
        "history": [("revoke", "2025-07-01 09:00", "协议到期 Agreement ended", None)],
    },
    {
        "agreement": "ZD-OM-2024-007", "dataset": "BDB-LEGAL-ENTITY",
        "actions": ["read"], "purposes": ["ServiceProvision"],
        "valid_from": "2024-06-01 00:00", "valid_until": "2027-06-01 00:00",
        "quota": (30_000, "month", "records"), "recipients": [],
        "history": [("revoke", "2026-03-31 16:00", "超范围用于营销 Used for marketing, beyond the grant", None)],
    },
    {
        "agreement": "ZD-BOT-2012-008", "dataset": "BDB-GRID-BASE",
        "actions": ["read", "modify", "archive"], "purposes": ["ServiceProvision"],
        "valid_from": "2014-09-01 00:00", "valid_until": "2026-07-01 00:00",
        "quota": (None, "month", "records"), "recipients": [], "declaration_schedule": "yearly",
        "history": [("revoke", "2026-06-30 17:00", "资产移交，授权终止 Handover: grant ends", None)],
    },
]  # fmt: skip


def _officer_of(agreement: Agreement) -> str:
    from contracts.demo.agreements import spec

    return spec(agreement.reference)["officer"]


def ensure_grant(terms: dict) -> DataUsePermission:
    agreement = Agreement.objects.get(reference=terms["agreement"])
    dataset = Dataset.objects.get(code=terms["dataset"])
    existing = DataUsePermission.objects.filter(agreement=agreement, dataset=dataset).first()
    if existing is not None:
        return existing
    actor = as_user(_officer_of(agreement))
    quota_count, quota_interval, quota_unit = terms["quota"]
    permission = permission_grant(
        actor=actor,
        agreement=agreement,
        dataset=dataset,
        actions=terms["actions"],
        purposes=terms["purposes"],
        valid_from=instant(terms["valid_from"]),
        valid_until=instant(terms["valid_until"]) if terms["valid_until"] else None,
        quota_count=quota_count,
        quota_interval=quota_interval,
        quota_unit=quota_unit,
        recipients=[org(key) for key in terms["recipients"]],
        declaration_schedule=terms.get("declaration_schedule", "monthly"),
        declaration_due_days=terms.get("declaration_due_days", 10),
        delete_within_days=terms.get("delete_within_days"),
        anonymize_required=terms.get("anonymize_required", False),
        at=instant(terms["valid_from"]),
    )
    for kind, at, reason, changes in terms.get("history", []):
        if kind == "change":
            changes = dict(changes)
            if "recipients" in changes:
                changes["recipients"] = [org(key) for key in changes["recipients"]]
            permission = permission_change(actor=actor, permission=permission, reason=reason, at=instant(at), **changes)
        else:
            permission = permission_set_status(actor=actor, permission=permission, action=kind, reason=reason, at=instant(at))
    return permission


def load() -> None:
    for terms in GRANTS:
        ensure_grant(terms)
