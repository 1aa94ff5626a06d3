"""The alert inbox keeps to live alerts, the alert page offers only what the reader may do, and the
pages about alerts, amendments, the audit trail and accountability read in Chinese and in local time."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from contracts.services.agreements import agreement_amend
from contracts.services.declarations import declaration_submit
from contracts.codes import RULE_LABELS
from contracts.models import UsageDeclaration
from notifications.codes import ALERT_KINDS
from notifications.models import Alert
from notifications.services.alerts import alert_resolve
from notifications.services.checks import declaration_check
from partnerships.actors import actor_for
from partnerships.audit import audit_record
from tests import factories as f

pytestmark = pytest.mark.django_db

RULE_EN = "The purpose, or a parent of it, is granted."
RULE_ZH = "用途或其上位用途已获授权。"


def page_client(user, language="en") -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def marketing_alert(world, accountable_org) -> Alert:
    """The partner declares use for marketing, which its grant does not allow; ``accountable_org``
    answers for data security, so the alert names it."""
    f.assign(world.officer, world.agreement, "data_security", accountable_org, "A")
    end = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    declaration = declaration_submit(
        actor=actor_for(world.partner),
        agreement=world.agreement,
        dataset=world.dataset,
        period_start=end.replace(day=1),
        period_end=end,
        purpose="Marketing",
        actions=["read"],
        record_count=100,
    )
    assert declaration_check(declaration_id=declaration.pk) is True
    return Alert.objects.get(kind="purpose_not_permitted")


# --- the inbox keeps to live alerts -----------------------------------------------------------


def test_a_resolved_alert_stays_out_of_the_inbox_whatever_else_is_asked(world):
    alert = marketing_alert(world, world.partner_org)
    client = page_client(world.supervisor)

    def ids(query):
        return [a.pk for a in client.get(f"/alerts/?{query}").context["page"]]

    live_queries = ("", "page=1", f"severity={alert.severity}", "status=", "status=live")
    for query in live_queries:
        assert ids(query) == [alert.pk], query

    alert_resolve(actor=actor_for(world.supervisor), alert=alert, comment="Partner stopped")
    # Paging and the home page's "Critical: N" links carry a query but no status: still live alerts only.
    for query in (*live_queries, "page=2"):
        assert ids(query) == [], query
    # "Any" has its own value, and asking for resolved alerts still finds them.
    assert ids("status=all") == [alert.pk]
    assert ids(f"status=all&severity={alert.severity}") == [alert.pk]
    assert ids("status=resolved") == [alert.pk]


# --- acknowledge is offered only to those who may answer ----------------------------------------


def test_the_auditor_is_not_offered_acknowledge_and_the_supervisor_is(world):
    alert = marketing_alert(world, world.partner_org)
    auditor_page = page_client(world.auditor).get(f"/alerts/{alert.pk}/")
    assert auditor_page.status_code == 200
    assert auditor_page.context["acknowledge_form"] is None
    assert f"/alerts/{alert.pk}/acknowledge/" not in auditor_page.content.decode()
    supervisor_page = page_client(world.supervisor).get(f"/alerts/{alert.pk}/")
    assert supervisor_page.context["acknowledge_form"] is not None
    assert f'action="/alerts/{alert.pk}/acknowledge/"' in supervisor_page.content.decode()
    # The partner the alert is about may acknowledge too.
    assert page_client(world.partner).get(f"/alerts/{alert.pk}/").context["acknowledge_form"] is not None


# --- links only to pages the reader can open ---------------------------------------------------


def test_an_accountable_third_party_sees_the_agreement_and_grant_without_links(world):
    alert = marketing_alert(world, world.other_partner_org)
    assert alert.accountable_party_id == world.other_partner_org.pk and alert.permission_id == world.permission.pk
    agreement_href = f'href="/agreements/{world.agreement.pk}/"'
    grant_href = f'href="/grants/{world.permission.pk}/"'

    third = page_client(world.other_partner)
    assert third.get(f"/agreements/{world.agreement.pk}/").status_code == 404
    assert third.get(f"/grants/{world.permission.pk}/").status_code == 404
    body = third.get(f"/alerts/{alert.pk}/").content.decode()
    assert agreement_href not in body and grant_href not in body
    assert "ZJ-BOT-001" in body and "Version 1" in body

    supervisor_body = page_client(world.supervisor).get(f"/alerts/{alert.pk}/").content.decode()
    assert agreement_href in supervisor_body and grant_href in supervisor_body


# --- Chinese pages: the project's own English is translated -------------------------------------


def test_the_rule_reads_in_the_readers_language_and_the_stored_rule_is_kept(world):
    assert set(RULE_LABELS) == ALERT_KINDS  # every kind of alert has its rule in words
    alert = marketing_alert(world, world.partner_org)
    assert alert.rule == RULE_EN
    zh = page_client(world.supervisor, "zh-hans").get(f"/alerts/{alert.pk}/").content.decode()
    assert RULE_EN not in zh
    assert f"<dd>{RULE_ZH}</dd>" in zh
    en = page_client(world.supervisor).get(f"/alerts/{alert.pk}/").content.decode()
    assert f"<dd>{RULE_EN}</dd>" in en

    declaration_id = UsageDeclaration.objects.get().pk
    zh_declaration = page_client(world.partner, "zh-hans").get(f"/declarations/{declaration_id}/").content.decode()
    assert RULE_EN not in zh_declaration
    assert f"<strong>用途未获授权</strong>: {RULE_ZH}" in zh_declaration
    en_declaration = page_client(world.partner).get(f"/declarations/{declaration_id}/").content.decode()
    assert f"<strong>Purpose not permitted</strong>: {RULE_EN}" in en_declaration


def test_an_amendment_names_the_term_not_the_field(world):
    before = world.agreement.ends_on
    agreement_amend(
        actor=actor_for(world.officer),
        agreement=world.agreement,
        rationale="Extended by two years",
        effective_on=timezone.localdate(),
        changes={"ends_on": before.replace(year=before.year + 2)},
    )
    zh = page_client(world.officer, "zh-hans").get(f"/agreements/{world.agreement.pk}/").content.decode()
    assert "<li>ends_on:" not in zh
    assert "<li>结束日期: " in zh
    en = page_client(world.officer).get(f"/agreements/{world.agreement.pk}/").content.decode()
    assert "<li>ends_on:" not in en
    assert "<li>Ends on: " in en


def test_the_audit_trail_reads_in_chinese(world):
    client = page_client(world.auditor, "zh-hans")
    page = client.get("/audit/", {"object_type": "nothing-like-this"})
    assert page.status_code == 200
    body = page.content.decode()
    for english in ("<h1>Audit trail</h1>", "No entries.", "<label>object_type", "<label>since", "Time (UTC)"):
        assert english not in body, english
    assert "<h1>审计日志</h1>" in body and "没有记录。" in body
    assert "<label>对象类型 " in body and "<label>起始时间（含） " in body
    # The system's own entries name no person, in the reader's language.
    audit_record(actor=None, action="alert.escalated", organization=world.bureau, object_type="alert", object_id="1")
    entries = client.get("/audit/", {"action": "alert.escalated"}).content.decode()
    assert "<td>system</td>" not in entries and "<td>系统</td>" in entries


REPORT = "/api/v1/agreements/{}/accountability/"


def test_the_accountability_report_reads_in_chinese(world):
    alert = marketing_alert(world, world.partner_org)
    client = page_client(world.supervisor, "zh-hans")
    html = client.get(REPORT.format(world.agreement.pk), {"format": "html"}).content.decode()
    for english in ("Grants in force", "Who answers for what", "Alerts open at this instant", "Accountability report"):
        assert english not in html, english
    assert "<h2>现行授权</h2>" in html and "<h2>谁对什么负责</h2>" in html and "<h2>此刻未关闭的告警</h2>" in html
    # Codes read as their labels.
    assert "<td>data_security</td>" not in html and "<td>数据安全</td>" in html
    assert ">active</span>" not in html and '<span class="status status-active">生效</span>' in html
    assert alert.severity == "warning"
    assert "<td>purpose_not_permitted</td>" not in html and "<td>warning</td>" not in html
    assert f"<td>{alert.pk}</td><td>用途未获授权</td><td>警告</td>" in html
    assert '<span class="status status-open">待处理</span><br><span class="small">现在: 待处理</span>' in html


def test_the_accountability_report_page_shows_local_time_and_the_data_stays_utc(world):
    client = page_client(world.supervisor)
    url = REPORT.format(world.agreement.pk)
    html = client.get(url, {"format": "html", "at": "2026-06-15T12:00"}).content.decode()
    assert "<strong>2026-06-15 12:00:00</strong> (Asia/Shanghai)" in html
    assert "2026-06-15T04:00:00Z" not in html
    assert "(UTC)" not in html
    assert client.get(url, {"at": "2026-06-15T12:00"}).json()["at"] == "2026-06-15T04:00:00Z"
    csv = client.get(url, {"format": "csv", "at": "2026-06-15T12:00"}).content.decode()
    assert "2026-06-15T04:00:00Z" in csv and "2026-06-15 12:00" not in csv

