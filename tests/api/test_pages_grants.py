"""Grant pages and the responsibility matrix (Django test client)."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from contracts.models import DataUsePermission, ResponsibilityAssignment, UsageEvent
from contracts.selectors.grant_usage import grant_usage
from contracts.services.permissions import permission_set_status
from partnerships.actors import actor_for

pytestmark = pytest.mark.django_db


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def field_errors(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


@pytest.mark.parametrize("persona", ["officer", "partner", "supervisor", "auditor"])
def test_grant_page_opens_for_those_who_may_see_it(world, persona):
    response = page_client(getattr(world, persona)).get(f"/grants/{world.permission.pk}/")
    assert response.status_code == 200
    assert response.context["words"][0] == (
        f"{world.partner_org.name} may use the dataset “{world.dataset.name}” to: read, aggregate."
    )
    assert "Up to 10,000 records per month." in response.context["words"]


@pytest.mark.parametrize("persona", ["other_partner", "far_officer"])
def test_a_foreign_grant_is_404(world, persona):
    client = page_client(getattr(world, persona))
    assert client.get(f"/grants/{world.permission.pk}/").status_code == 404
    assert client.get(f"/grants/{world.permission.pk}/status/").status_code == 404


def test_grant_page_in_chinese_speaks_plain_chinese(world):
    response = page_client(world.partner).get(f"/grants/{world.permission.pk}/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.context["words"][0] == f"{world.partner_org.name} 可对数据集“{world.dataset.name}”进行：读取、汇总。"
    assert "每月最多 10,000 条记录。" in response.context["words"]


def test_officer_grants_a_dataset_with_inline_errors_first(world):
    client = page_client(world.officer)
    url = f"/agreements/{world.agreement.pk}/grants/new/"
    data = {
        "dataset": world.personal_dataset.pk,
        "valid_from": "2026-01-01T00:00",
        "valid_until": "2025-01-01T00:00",
        "quota_interval": "month",
        "quota_unit": "records",
        "declaration_schedule": "monthly",
        "declaration_due_days": "10",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert field_errors(response, "actions") == ["Grant at least one action."]
    assert field_errors(response, "purposes") == ["Grant at least one purpose."]
    assert field_errors(response, "valid_until") == ["The end of validity must be after its start."]
    assert not DataUsePermission.objects.filter(dataset=world.personal_dataset).exists()

    data.update(actions=["read"], purposes=["ScientificResearch"], valid_until="2027-01-01T00:00", quota_count="500")
    response = client.post(url, data)
    grant = DataUsePermission.objects.get(dataset=world.personal_dataset)
    assert (response.status_code, response["Location"]) == (302, f"/grants/{grant.pk}/")
    assert (grant.actions, grant.purposes, grant.quota_count, grant.version) == (["read"], ["ScientificResearch"], 500, 1)


def grant_the_granted_dataset_again(world):
    data = {
        "dataset": world.dataset.pk,
        "actions": ["read"],
        "purposes": ["PublicBenefit"],
        "valid_from": "2026-01-01T00:00",
        "quota_interval": "month",
        "quota_unit": "records",
        "declaration_schedule": "monthly",
        "declaration_due_days": "10",
    }
    return page_client(world.officer).post(f"/agreements/{world.agreement.pk}/grants/new/", data)


def test_a_second_grant_for_the_same_dataset_is_refused_beside_the_dataset(world):
    response = grant_the_granted_dataset_again(world)
    assert field_errors(response, "dataset") == [
        "This agreement already has a grant for this dataset; change that grant instead."
    ]
    assert DataUsePermission.objects.filter(agreement=world.agreement).count() == 1


def test_a_revoked_grant_is_not_granted_again_and_the_form_says_why(world):
    permission_set_status(actor=actor_for(world.officer), permission=world.permission, action="revoke", reason="misuse")
    response = grant_the_granted_dataset_again(world)
    assert field_errors(response, "dataset") == [
        "This agreement's grant for this dataset was revoked; it cannot be granted again under this agreement."
    ]
    assert list(DataUsePermission.objects.filter(agreement=world.agreement).values_list("status", flat=True)) == ["revoked"]


def test_suspend_and_revoke_a_grant_make_versions(world):
    client = page_client(world.officer)
    url = f"/grants/{world.permission.pk}/status/"
    response = client.post(url, {"action": "suspend", "reason": "  "})
    assert field_errors(response, "reason") == ["This field is required."]
    assert client.post(url, {"action": "suspend", "reason": "Audit"}).status_code == 302
    # Reinstate is offered only to a suspended grant; revoke is final.
    assert [c for c, _ in client.get(url).context["form"].fields["action"].choices] == ["reinstate", "revoke"]
    assert client.post(url, {"action": "revoke", "reason": "Breach"}).status_code == 302
    world.permission.refresh_from_db()
    assert (world.permission.status, world.permission.version) == ("revoked", 3)
    page = client.get(f"/grants/{world.permission.pk}/")
    assert [v.change for v in page.context["versions"]] == ["revoke", "suspend", "grant"]
    assert page.context["status_form"] is None


def test_partner_may_look_but_not_change_a_grant(world):
    client = page_client(world.partner)
    assert client.get(f"/grants/{world.permission.pk}/status/").status_code == 403
    assert client.post(f"/grants/{world.permission.pk}/status/", {"action": "revoke", "reason": "x"}).status_code == 403
    world.permission.refresh_from_db()
    assert world.permission.status == "active"


def test_usage_per_interval_counts_events_of_this_grant_only(world):
    now = timezone.now()
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=15)
    rows = [
        UsageEvent(source="gw", event_id="1", occurred_at=now, agreement=world.agreement, dataset=world.dataset, action="read", purpose="PublicBenefit", record_count=700),
        UsageEvent(source="gw", event_id="2", occurred_at=now, agreement=world.agreement, dataset=world.dataset, action="read", purpose="PublicBenefit", record_count=300),
        UsageEvent(source="gw", event_id="3", occurred_at=timezone.make_aware(datetime.datetime.combine(last_month, datetime.time(12))), agreement=world.agreement, dataset=world.dataset, action="read", purpose="PublicBenefit", record_count=42),
        # Another dataset under the same agreement does not count.
        UsageEvent(source="gw", event_id="4", occurred_at=now, agreement=world.agreement, dataset=world.personal_dataset, action="read", purpose="PublicBenefit", record_count=999),
    ]
    UsageEvent.objects.bulk_create(rows)
    usage = grant_usage(world.permission)
    assert len(usage) == 12
    assert (usage[-1]["start"], usage[-1]["observed"], usage[-1]["declared"]) == (timezone.localdate().replace(day=1), 1000, 0)
    assert (usage[-2]["start"], usage[-2]["observed"]) == (last_month.replace(day=1), 42)
    assert sum(r["observed"] for r in usage) == 1042
    chart = page_client(world.officer).get(f"/grants/{world.permission.pk}/").context["chart"]
    assert [b["over"] for b in chart["bars"]][-2:] == [False, False]


def test_the_matrix_shows_who_answers_for_what_on_a_chosen_day(world):
    client = page_client(world.officer)
    url = f"/agreements/{world.agreement.pk}/responsibilities/new/"
    start = timezone.localdate() - datetime.timedelta(days=30)
    data = {"area": "data_security", "party": world.partner_org.pk, "raci": "A", "contact_name": "Li Lei", "valid_from": f"{start}T00:00"}
    assert client.post(url, data).status_code == 302
    # A second accountable party for the same area and time is refused beside the RACI field.
    response = client.post(url, dict(data, party=world.bureau.pk))
    assert field_errors(response, "raci") == [
        "This area already has an accountable party for part of that period; end that assignment first."
    ]
    assert ResponsibilityAssignment.objects.filter(agreement=world.agreement).count() == 1

    def cell(response, area, party):
        row = next(r for r in response.context["matrix_rows"] if r["code"] == area)
        return [a.raci for a in row["cells"][response.context["matrix_parties"].index(party)]]

    today = client.get(f"/agreements/{world.agreement.pk}/")
    assert cell(today, "data_security", world.partner_org) == ["A"]
    assert today.context["matrix_gaps"] is True  # the other nine areas have nobody accountable
    before = client.get(f"/agreements/{world.agreement.pk}/?at={start - datetime.timedelta(days=1)}")
    assert cell(before, "data_security", world.partner_org) == []
    bad = client.get(f"/agreements/{world.agreement.pk}/?at=not-a-date")
    assert bad.status_code == 200 and bad.context["matrix_form"].errors["at"]


def test_code_lists_read_in_their_own_order_and_language(world):
    response = page_client(world.officer).get(f"/agreements/{world.agreement.pk}/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    body = response.content.decode()
    assert "<td>读取、汇总</td>" in body  # read before aggregate, as in the ODRL code list
    assert "原始协议" in body  # version 1's rationale, written by the system
    english = page_client(world.officer).get(f"/agreements/{world.agreement.pk}/").content.decode()
    assert "<td>Read, Aggregate</td>" in english
