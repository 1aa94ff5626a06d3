"""The people every test talks about (STYLE: personas).

One province (33xxxx) with a data bureau whose officer manages two agreements,
one with each of two partner enterprises; a supervisor and an auditor of that
province; and a second province (32xxxx) whose agreement none of them may see.
"""

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from tests import factories as f


@dataclass
class World:
    bureau: object
    partner_org: object
    other_partner_org: object
    supervision_office: object
    audit_office: object
    far_bureau: object
    officer: object
    partner: object
    other_partner: object
    supervisor: object
    auditor: object
    admin: object
    far_officer: object
    dataset: object
    personal_dataset: object
    agreement: object
    other_agreement: object
    far_agreement: object
    permission: object


@pytest.fixture
def world(db) -> World:
    bureau = f.organization("省大数据发展管理局 Provincial Big Data Bureau", "government", "330000")
    partner_org = f.organization("云海科技有限公司 Yunhai Technology", "enterprise", "330100")
    other_partner_org = f.organization("数智城市运营有限公司 Smart City Ops", "enterprise", "330200")
    supervision = f.organization("省数据安全监督处 Data Security Supervision Office", "regulator", "330000")
    audit = f.organization("省审计厅 Provincial Audit Office", "regulator", "330000")
    far_bureau = f.organization("邻省大数据局 Neighbouring Bureau", "government", "320000")
    far_partner = f.organization("邻省科技 Far Tech", "enterprise", "320100")

    officer = f.user("officer", (bureau, "officer"))
    partner = f.user("partner", (partner_org, "partner"))
    other_partner = f.user("other_partner", (other_partner_org, "partner"))
    supervisor = f.user("supervisor", (supervision, "supervisor"))
    auditor = f.user("auditor", (audit, "auditor"))
    admin = f.user("admin", is_superuser=True, is_staff=True)
    far_officer = f.user("far_officer", (far_bureau, "officer"))

    dataset = f.dataset("POP-STATS", bureau, grade="general", personal_info="none", name="人口统计 Population statistics")
    personal = f.dataset("HEALTH-REC", bureau, grade="important", personal_info="sensitive", name="健康档案 Health records")

    agreement = f.agreement(officer, bureau, partner_org, reference="ZJ-BOT-001", title="政务云 E-government cloud")
    other = f.agreement(officer, bureau, other_partner_org, reference="ZJ-SVC-002", model="SERVICE", title="城市大脑 City brain")
    far = f.agreement(far_officer, far_bureau, far_partner, reference="JS-JV-001", model="JV", title="邻省 Far JV")
    permission = f.grant(officer, agreement, dataset)
    return World(
        bureau=bureau,
        partner_org=partner_org,
        other_partner_org=other_partner_org,
        supervision_office=supervision,
        audit_office=audit,
        far_bureau=far_bureau,
        officer=officer,
        partner=partner,
        other_partner=other_partner,
        supervisor=supervisor,
        auditor=auditor,
        admin=admin,
        far_officer=far_officer,
        dataset=dataset,
        personal_dataset=personal,
        agreement=agreement,
        other_agreement=other,
        far_agreement=far,
        permission=permission,
    )


@pytest.fixture
def client_for():
    """client_for(user) -> an API client authenticated as that user (None: anonymous)."""

    def make(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make
