"""Partnerships and agreements in every status, with phases, milestones and an amendment."""

from decimal import Decimal

from contracts.demo.common import as_user, day, instant
from contracts.demo.parties import org
from contracts.models import Agreement, Milestone, Phase
from contracts.services.agreements import agreement_amend, agreement_create, agreement_transition
from partnerships.models import Partnership

# key: (name, government key, partner key, description)
PARTNERSHIPS = {
    "cloud": ("省政务云合作项目 Provincial e-government cloud partnership", "bureau", "yunhai",
              "Cloud platform and data centre cooperation with Yunhai Technology."),
    "zhedong": ("数字浙东合资合作 Digital Zhedong joint venture", "bureau", "zhedong",
                "The province and Yunhai Technology own the Digital Zhedong operator together."),
    "citybrain": ("城市大脑合作项目 City Brain partnership", "police", "smartcity",
                  "Traffic governance and public-security video analytics."),
    "health": ("全民健康信息化合作 Health informatisation partnership", "health", "yunhai",
               "Health information platform operation and epidemic data services."),
}  # fmt: skip

# Each agreement: its terms, who registers it, the transitions before grants are made
# ("history"), the final transition after ("closing"), phases, milestones and amendments.
AGREEMENTS = [
    {
        "reference": "ZD-BOT-2024-001",
        "title": "省政务云平台建设运营项目 Provincial E-Government Cloud (build-operate-transfer)",
        "model": "BOT", "government": "bureau", "partner": "yunhai", "officer": "officer", "partnership": "cloud",
        "signed_on": "2024-03-15", "starts_on": "2024-04-01", "ends_on": "2039-03-31", "value": "1280000000.00",
        "description": "Yunhai builds and runs the provincial government cloud for 15 years, then hands it over.",
        "history": [("activate", "2024-04-01 09:00", "合同签署并经省政府批准 Signed and approved by the provincial government")],
        "phases": [
            ("design", "2024-04-01", "2024-09-30", "2024-04-01", "2024-10-15"),
            ("build", "2024-10-01", "2025-12-31", "2024-10-16", "2025-12-20"),
            ("operate", "2026-01-01", "2038-12-31", "2025-12-21", None),
            ("transfer", "2039-01-01", "2039-03-31", None, None),
        ],
        "milestones": [
            ("milestone", "云平台一期上线 Cloud phase I live", "2025-06-30", "yunhai", "met", "2025-06-18"),
            ("milestone", "等保三级测评通过 Level-3 cybersecurity certification", "2025-09-30", "yunhai", "met", "2025-09-12"),
            ("milestone", "异地灾备中心建成 Off-site disaster-recovery centre", "2026-06-30", "yunhai", "notMet", None),
            ("obligation", "年度数据安全审计报告 Annual data-security audit report", "2027-01-31", "yunhai", "scheduled", None),
            ("obligation", "政府付费年度考核 Annual availability-payment assessment", "2026-12-31", "bureau", "scheduled", None),
        ],
        "amendments": [
            ("二期扩容：增加算力与存储 Phase II: more compute and storage", "2025-11-01",
             {"value": Decimal("1460000000.00")}),
        ],
    },
    {
        "reference": "ZD-JV-2025-002",
        "title": "数字浙东合资运营协议 Digital Zhedong joint-venture operation",
        "model": "JV", "government": "bureau", "partner": "zhedong", "officer": "officer", "partnership": "zhedong",
        "signed_on": "2025-01-08", "starts_on": "2025-02-01", "ends_on": "2045-01-31", "value": "500000000.00",
        "description": "The operator runs the province's public data authorised-operation platform.",
        "history": [("activate", "2025-02-01 10:00", "合资公司完成注册 Joint venture registered")],
        "phases": [("operate", "2025-02-01", "2045-01-31", "2025-02-01", None)],
        "milestones": [
            ("milestone", "公共数据授权运营平台上线 Authorised-operation platform live", "2025-08-31", "zhedong", "met", "2025-08-28"),
            ("milestone", "首批数据产品上架 First data products listed", "2025-12-31", "zhedong", "partiallyMet", "2025-12-30"),
            ("obligation", "季度运营报告 Quarterly operation report", "2027-01-15", "zhedong", "scheduled", None),
        ],
    },
    {
        "reference": "ZD-SVC-2025-003",
        "title": "城市大脑交通治理服务 City Brain traffic governance service",
        "model": "SERVICE", "government": "police", "partner": "smartcity", "officer": "officer_police",
        "partnership": "citybrain",
        "signed_on": "2025-03-01", "starts_on": "2025-03-15", "ends_on": "2028-03-14", "value": "36000000.00",
        "description": "Government purchase of traffic-signal optimisation and congestion analytics.",
        "history": [("activate", "2025-03-15 09:00", "政府采购合同生效 Procurement contract in force")],
        "phases": [("operate", "2025-03-15", "2028-03-14", "2025-03-15", None)],
        "milestones": [
            ("milestone", "主城区信号灯接入 Downtown signals connected", "2025-09-30", "smartcity", "met", "2025-09-25"),
            ("obligation", "月度拥堵指数报告 Monthly congestion index report", "2026-12-05", "smartcity", "scheduled", None),
        ],
    },
    {
        "reference": "ZD-SVC-2025-004",
        "title": "全民健康信息平台运维服务 Health information platform operation and maintenance",
        "model": "SERVICE", "government": "health", "partner": "yunhai", "officer": "officer_health",
        "partnership": "health",
        "signed_on": "2024-12-20", "starts_on": "2025-01-10", "ends_on": "2027-12-31", "value": "18500000.00",
        "description": "Operation of the provincial health information platform and its data interfaces.",
        "history": [
            ("activate", "2025-01-10 09:00", "合同生效 Contract in force"),
            ("suspend", "2026-09-20 16:00", "疑似数据泄露，暂停履约待调查 Suspected data leak: suspended pending investigation"),
        ],
        "phases": [("operate", "2025-01-10", "2027-12-31", "2025-01-10", None)],
        "milestones": [
            ("milestone", "平台迁移上云 Platform moved to the government cloud", "2025-06-30", "yunhai", "met", "2025-07-05"),
            ("obligation", "安全整改报告 Security remediation report", "2026-10-31", "yunhai", "notMet", None),
        ],
    },
    {
        "reference": "ZD-SVC-2026-005",
        "title": "公共数据开放平台运营服务 Open public data portal operation",
        "model": "SERVICE", "government": "bureau", "partner": "smartcity", "officer": "officer", "partnership": None,
        "signed_on": None, "starts_on": "2027-01-01", "ends_on": "2029-12-31", "value": "9600000.00",
        "description": "Under negotiation: operation of the open data portal and its developer support.",
        "history": [],
        "phases": [("operate", "2027-01-01", "2029-12-31", None, None)],
        "milestones": [],
    },
    {
        "reference": "ZD-SVC-2023-006",
        "title": "疫情防控数据服务 Epidemic prevention data service",
        "model": "SERVICE", "government": "health", "partner": "yunhai", "officer": "officer_health",
        "partnership": "health",
        "signed_on": "2023-06-15", "starts_on": "2023-07-01", "ends_on": "2025-06-30", "value": "4200000.00",
        "description": "Vaccination statistics and outbreak dashboards; ended with the service period.",
        "history": [("activate", "2023-07-01 09:00", "合同生效 Contract in force")],
        "closing": ("expire", "2025-07-01 10:00", "服务期满 Service period ended"),
        "phases": [("operate", "2023-07-01", "2025-06-30", "2023-07-01", "2025-06-30")],
        "milestones": [
            ("obligation", "数据销毁证明 Certificate of data deletion", "2025-07-31", "yunhai", "met", "2025-07-20"),
        ],
    },
    {
        "reference": "ZD-OM-2024-007",
        "title": "政务服务热线系统运维 Government service hotline operation and maintenance",
        "model": "OM", "government": "bureau", "partner": "smartcity", "officer": "officer", "partnership": None,
        "signed_on": "2024-05-20", "starts_on": "2024-06-01", "ends_on": "2027-05-31", "value": "7800000.00",
        "description": "Terminated early after hotline records were used for marketing.",
        "history": [("activate", "2024-06-01 09:00", "合同生效 Contract in force")],
        "closing": ("terminate", "2026-03-31 17:00", "合作方超范围使用数据，严重违约 Serious breach: data used beyond the grant"),
        "phases": [("operate", "2024-06-01", "2027-05-31", "2024-06-01", "2026-03-31")],
        "milestones": [
            ("obligation", "热线接通率不低于95% Hotline answer rate at least 95%", "2025-12-31", "smartcity", "partiallyMet", "2025-12-31"),
        ],
    },
    {
        "reference": "ZD-BOT-2012-008",
        "title": "省政务数据中心 Provincial government data centre (build-operate-transfer)",
        "model": "BOT", "government": "bureau", "partner": "yunhai", "officer": "officer", "partnership": "cloud",
        "signed_on": "2012-05-10", "starts_on": "2012-07-01", "ends_on": "2026-06-30", "value": "420000000.00",
        "description": "The first data centre; handed over to the bureau at the end of the concession.",
        "history": [("activate", "2012-07-01 09:00", "合同生效 Contract in force")],
        "closing": ("transfer", "2026-06-30 18:00", "资产移交政府 Assets handed over to the government"),
        "phases": [
            ("build", "2012-07-01", "2014-06-30", "2012-07-01", "2014-08-31"),
            ("operate", "2014-07-01", "2026-06-30", "2014-09-01", "2026-06-30"),
            ("transfer", "2026-04-01", "2026-06-30", "2026-04-01", "2026-06-30"),
        ],
        "milestones": [
            ("milestone", "资产移交验收 Handover acceptance", "2026-06-30", "bureau", "met", "2026-06-30"),
        ],
    },
]  # fmt: skip


def spec(reference: str) -> dict:
    return next(a for a in AGREEMENTS if a["reference"] == reference)


def ensure_partnership(key: str) -> Partnership:
    name, government, partner, description = PARTNERSHIPS[key]
    partnership, _ = Partnership.objects.get_or_create(
        name=name, defaults={"government": org(government), "partner": org(partner), "description": description}
    )
    return partnership


def ensure_agreement(terms: dict) -> Agreement:
    existing = Agreement.objects.filter(reference=terms["reference"]).first()
    if existing is not None:
        return existing
    actor = as_user(terms["officer"])
    agreement = agreement_create(
        actor=actor,
        reference=terms["reference"],
        title=terms["title"],
        model=terms["model"],
        government=org(terms["government"]),
        partner=org(terms["partner"]),
        partnership=ensure_partnership(terms["partnership"]) if terms["partnership"] else None,
        signed_on=day(terms["signed_on"]) if terms["signed_on"] else None,
        starts_on=day(terms["starts_on"]),
        ends_on=day(terms["ends_on"]),
        value=Decimal(terms["value"]),
        description=terms["description"],
    )
    # History is replayed only when the agreement is new, so a second run adds nothing.
    for action, at, reason in terms["history"]:
        agreement = agreement_transition(actor=actor, agreement=agreement, action=action, reason=reason, at=instant(at))
    for rationale, effective_on, changes in terms.get("amendments", []):
        agreement_amend(actor=actor, agreement=agreement, rationale=rationale, effective_on=day(effective_on), changes=changes)
    return agreement


def ensure_phases(agreement: Agreement, phases: list) -> None:
    for kind, planned_start, planned_end, actual_start, actual_end in phases:
        Phase.objects.get_or_create(
            agreement=agreement,
            kind=kind,
            defaults={
                "planned_start": day(planned_start),
                "planned_end": day(planned_end),
                "actual_start": day(actual_start) if actual_start else None,
                "actual_end": day(actual_end) if actual_end else None,
            },
        )


def ensure_milestones(agreement: Agreement, milestones: list) -> None:
    for kind, title, due_on, responsible, status, met_on in milestones:
        Milestone.objects.get_or_create(
            agreement=agreement,
            title=title,
            defaults={
                "kind": kind,
                "due_on": day(due_on),
                "responsible": org(responsible),
                "status": status,
                "met_on": day(met_on) if met_on else None,
            },
        )


def load() -> None:
    for key in PARTNERSHIPS:
        ensure_partnership(key)
    for terms in AGREEMENTS:
        agreement = ensure_agreement(terms)
        ensure_phases(agreement, terms["phases"])
        ensure_milestones(agreement, terms["milestones"])


def close() -> None:
    """Final transitions come last: no grant can be made under a closed agreement."""
    for terms in AGREEMENTS:
        if "closing" not in terms:
            continue
        action, at, reason = terms["closing"]
        agreement = Agreement.objects.get(reference=terms["reference"])
        if agreement.status in ("terminated", "expired", "transferred"):
            continue
        agreement_transition(
            actor=as_user(terms["officer"]), agreement=agreement, action=action, reason=reason, at=instant(at)
        )
