"""Who answers for what under each agreement, with a handover and deliberate gaps.

ZD-BOT-2024-001 leaves asset transfer with a responsible party but nobody accountable,
and ZD-JV-2025-002 has nobody accountable for incident response: both show as gaps.
"""

from contracts.demo.common import as_user, instant
from contracts.demo.parties import org
from contracts.models import Agreement, ResponsibilityAssignment
from contracts.services.responsibilities import responsibility_assign, responsibility_end

# (agreement, area, party, RACI, contact username, contact name, e-mail, phone, valid from, end (at, reason) or None)
DUTIES = [
    ("ZD-BOT-2024-001", "data_security", "yunhai", "A", "partner", "王磊 Wang Lei", "", "+86 571 8800 1001", "2024-04-01 00:00", None),
    ("ZD-BOT-2024-001", "data_security", "bureau", "C", "officer", "李明 Li Ming", "", "+86 571 8700 2001", "2024-04-01 00:00", None),
    ("ZD-BOT-2024-001", "personal_information", "bureau", "A", "officer", "李明 Li Ming", "", "+86 571 8700 2001", "2024-04-01 00:00", None),
    ("ZD-BOT-2024-001", "personal_information", "yunhai", "R", "partner", "王磊 Wang Lei", "", "", "2024-04-01 00:00", None),
    ("ZD-BOT-2024-001", "system_operation", "yunhai", "A", None, "张华 Zhang Hua", "ops@yunhai.example", "+86 571 8800 1002", "2024-04-01 00:00", None),
    ("ZD-BOT-2024-001", "construction", "yunhai", "A", None, "黄建 Huang Jian", "build@yunhai.example", "", "2024-04-01 00:00", None),
    ("ZD-BOT-2024-001", "financing", "yunhai", "A", None, "许芳 Xu Fang", "finance@yunhai.example", "", "2024-04-01 00:00", None),
    ("ZD-BOT-2024-001", "incident_response", "yunhai", "A", "partner", "王磊 Wang Lei", "", "+86 571 8800 1001", "2024-04-01 00:00",
     ("2025-12-31 00:00", "运营期起由政府统一应急指挥 From operation the bureau leads incident command")),
    ("ZD-BOT-2024-001", "incident_response", "bureau", "A", "officer", "李明 Li Ming", "", "+86 571 8700 2001", "2026-01-01 00:00", None),
    ("ZD-BOT-2024-001", "incident_response", "yunhai", "R", "partner", "王磊 Wang Lei", "", "", "2026-01-01 00:00", None),
    ("ZD-BOT-2024-001", "asset_transfer", "bureau", "R", None, "资产处 Asset Division", "assets@bureau.example", "", "2024-04-01 00:00", None),
    ("ZD-BOT-2024-001", "compliance_reporting", "yunhai", "A", None, "合规部 Compliance", "compliance@yunhai.example", "", "2024-04-01 00:00", None),
    ("ZD-BOT-2024-001", "compliance_reporting", "supervision", "I", None, "孙伟 Sun Wei", "", "", "2024-04-01 00:00", None),
    ("ZD-JV-2025-002", "data_security", "zhedong", "A", "operator", "周婷 Zhou Ting", "", "+86 571 8600 3001", "2025-02-01 00:00", None),
    ("ZD-JV-2025-002", "data_quality", "bureau", "A", "officer", "李明 Li Ming", "", "", "2025-02-01 00:00", None),
    ("ZD-JV-2025-002", "service_quality", "zhedong", "A", "operator", "周婷 Zhou Ting", "", "", "2025-02-01 00:00", None),
    ("ZD-JV-2025-002", "incident_response", "zhedong", "R", None, "值班室 Duty desk", "duty@zhedong.example", "+86 571 8600 3999", "2025-02-01 00:00", None),
    ("ZD-SVC-2025-003", "data_security", "smartcity", "A", "partner2", "刘洋 Liu Yang", "", "+86 574 8900 4001", "2025-03-15 00:00", None),
    ("ZD-SVC-2025-003", "personal_information", "police", "A", "officer_police", "赵强 Zhao Qiang", "", "", "2025-03-15 00:00", None),
    ("ZD-SVC-2025-003", "incident_response", "smartcity", "A", "partner2", "刘洋 Liu Yang", "", "+86 574 8900 4001", "2025-03-15 00:00", None),
    ("ZD-SVC-2025-003", "service_quality", "smartcity", "A", None, "客服部 Service desk", "service@smartcity.example", "", "2025-03-15 00:00", None),
    ("ZD-SVC-2025-003", "system_operation", "smartcity", "A", "partner2", "刘洋 Liu Yang", "", "", "2025-03-15 00:00", None),
    ("ZD-SVC-2025-003", "system_operation", "police", "C", "officer_police", "赵强 Zhao Qiang", "", "", "2025-03-15 00:00", None),
    ("ZD-SVC-2025-004", "data_security", "yunhai", "A", "partner", "王磊 Wang Lei", "", "", "2025-01-10 00:00", None),
    ("ZD-SVC-2025-004", "personal_information", "health", "A", "officer_health", "陈静 Chen Jing", "", "", "2025-01-10 00:00", None),
    ("ZD-SVC-2025-004", "incident_response", "yunhai", "A", "partner", "王磊 Wang Lei", "", "", "2025-01-10 00:00", None),
]  # fmt: skip


def ensure_duty(row: tuple) -> ResponsibilityAssignment:
    reference, area, party_key, raci, contact, name, email, phone, valid_from, end = row
    from contracts.demo.agreements import spec

    agreement = Agreement.objects.get(reference=reference)
    party = org(party_key)
    existing = ResponsibilityAssignment.objects.filter(
        agreement=agreement, area=area, party=party, raci=raci, valid_from=instant(valid_from)
    ).first()
    if existing is not None:
        return existing
    actor = as_user(spec(reference)["officer"])
    contact_user = as_user(contact).user if contact else None
    assignment = responsibility_assign(
        actor=actor,
        agreement=agreement,
        area=area,
        party=party,
        raci=raci,
        valid_from=instant(valid_from),
        contact=contact_user,
        contact_name=name,
        contact_email=email,
        contact_phone=phone,
    )
    if end is not None:
        assignment = responsibility_end(actor=actor, assignment=assignment, valid_to=instant(end[0]), reason=end[1])
    return assignment


def load() -> None:
    for row in DUTIES:
        ensure_duty(row)
