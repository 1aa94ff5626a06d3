"""Grant request pages (Django test client): file, discuss, decide, measure."""

import csv
import io

import pytest
from django.test import Client

from contracts.models import DataUsePermission, GrantRequest, GrantRequestComment
from tests import factories as f

pytestmark = pytest.mark.django_db

SCOPE = {
    "valid_from": "2027-01-01T00:00",
    "valid_until": "2027-12-31T00:00",
    "quota_count": "5000",
    "quota_interval": "month",
    "quota_unit": "records",
    "declaration_schedule": "monthly",
    "declaration_due_days": "10",
}


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def file_new(world, **extra):
    data = {
        "agreement": world.agreement.pk,
        "dataset": world.personal_dataset.pk,
        "actions": ["read", "aggregate", "derive"],
        "purposes": ["PublicBenefit"],
        "justification": "Wait-time dashboard",
        **SCOPE,
        **extra,
    }
    return page_client(world.partner).post("/grant-requests/new/", data)


def test_partner_files_a_request_and_sees_it(world):
    form = page_client(world.partner).get(f"/grant-requests/new/?agreement={world.agreement.pk}")
    assert form.status_code == 200
    # The dataset already granted under this agreement is asked for by changing its grant instead.
    assert list(form.context["form"].fields["dataset"].queryset) == [world.personal_dataset]

    response = file_new(world)
    grant_request = GrantRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/grant-requests/{grant_request.pk}/"
    assert (grant_request.kind, grant_request.actions, grant_request.quota_count) == ("new", ["aggregate", "derive", "read"], 5000)
    detail = page_client(world.partner).get(response["Location"])
    assert detail.context["asked_words"][0] == (
        f"{world.partner_org.name} may use the dataset “{world.personal_dataset.name}” to: read, aggregate, derive."
    )
    assert detail.context["can_decide"] is False and detail.context["can_withdraw"] is True
    assert page_client(world.officer).get(response["Location"]).context["can_decide"] is True


def test_filing_errors_show_beside_the_fields(world):
    response = file_new(world, actions=[], justification="")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "justification" in errors
    assert GrantRequest.objects.count() == 0
    response = file_new(world, actions=[])
    assert response.context["form"].errors["actions"] == ["Grant at least one action."]


def test_a_change_request_shows_only_what_differs(world):
    client = page_client(world.partner)
    form = client.get(f"/grant-requests/new/?permission={world.permission.pk}")
    assert form.status_code == 200
    initial = form.context["form"].initial
    data = {
        "permission": world.permission.pk,
        "actions": initial["actions"],
        "purposes": initial["purposes"],
        # The page shows times to the minute; unedited, they stay as granted.
        "valid_from": initial["valid_from"].astimezone().strftime("%Y-%m-%dT%H:%M"),
        "valid_until": initial["valid_until"].astimezone().strftime("%Y-%m-%dT%H:%M"),
        "quota_count": "20000",
        "quota_interval": initial["quota_interval"],
        "quota_unit": initial["quota_unit"],
        "declaration_schedule": initial["declaration_schedule"],
        "declaration_due_days": initial["declaration_due_days"],
        "justification": "Peak season",
    }
    response = client.post("/grant-requests/new/", data)
    assert response.status_code == 302, response.context["form"].errors
    detail = client.get(response["Location"])
    assert [(r["field"], r["granted"], r["asked"]) for r in detail.context["changes"]] == [
        ("quota_count", "10,000", "20,000")
    ]


def test_officer_approves_narrowed_on_the_page(world):
    file_new(world)
    grant_request = GrantRequest.objects.get()
    officer = page_client(world.officer)
    decide = officer.get(f"/grant-requests/{grant_request.pk}/decide/")
    assert decide.status_code == 200
    assert decide.context["approve_form"].initial["actions"] == ["aggregate", "derive", "read"]

    widened = officer.post(
        f"/grant-requests/{grant_request.pk}/approve/",
        {"actions": ["read", "sell"], "purposes": ["PublicBenefit"], **SCOPE},
    )
    assert widened.status_code == 400
    assert widened.context["approve_form"].errors["actions"] == ["Not asked for, so it cannot be approved: sell"]
    assert not DataUsePermission.objects.filter(dataset=world.personal_dataset).exists()

    approved = officer.post(
        f"/grant-requests/{grant_request.pk}/approve/",
        {"actions": ["read"], "purposes": ["ImprovePublicServices"], **SCOPE, "quota_count": "1000"},
    )
    assert approved.status_code == 302
    grant = DataUsePermission.objects.get(dataset=world.personal_dataset)
    assert (grant.actions, grant.purposes, grant.quota_count) == (["read"], ["ImprovePublicServices"], 1000)
    assert grant.versions.get().grant_request.pk == grant_request.pk
    detail = page_client(world.partner).get(f"/grant-requests/{grant_request.pk}/")
    assert detail.context["approved_words"][0].endswith("to: read.")
    assert [str(label) for label in detail.context["narrowed_labels"]] == ["Actions", "Purposes", "Quota"]


def test_officer_refuses_with_a_reason_and_questions_go_both_ways(world):
    file_new(world)
    grant_request = GrantRequest.objects.get()
    url = f"/grant-requests/{grant_request.pk}/"
    assert page_client(world.officer).post(f"{url}comments/", {"body": "Which hospitals?"}).status_code == 302
    assert page_client(world.partner).post(f"{url}comments/", {"body": "All public ones."}).status_code == 302
    empty = page_client(world.partner).post(f"{url}comments/", {"body": ""})
    assert empty.status_code == 400
    assert list(GrantRequestComment.objects.values_list("side", flat=True)) == ["government", "partner"]

    missing = page_client(world.officer).post(f"{url}refuse/", {"reason": "other"})
    assert missing.status_code == 400
    assert missing.context["refuse_form"].errors["explanation"] == ["Explain the refusal when the reason is other."]
    refused = page_client(world.officer).post(f"{url}refuse/", {"reason": "personal_information", "explanation": "Too sensitive"})
    assert refused.status_code == 302
    grant_request.refresh_from_db()
    assert (grant_request.status, grant_request.refusal_reason) == ("refused", "personal_information")
    detail = page_client(world.partner).get(url)
    assert "Too sensitive" in detail.content.decode()
    assert detail.context["comment_form"] is None


@pytest.mark.parametrize("persona", ["other_partner", "far_officer"])
def test_foreign_requests_are_404_on_every_page(world, persona):
    file_new(world)
    pk = GrantRequest.objects.get().pk
    client = page_client(getattr(world, persona))
    for path in ("", "decide/"):
        assert client.get(f"/grant-requests/{pk}/{path}").status_code == 404
    for path in ("comments/", "approve/", "refuse/", "withdraw/"):
        assert client.post(f"/grant-requests/{pk}/{path}", {"body": "x", "reason": "other"}).status_code == 404
    assert GrantRequest.objects.get().status == "pending"
    assert GrantRequestComment.objects.count() == 0
    assert client.get(f"/grant-requests/new/?agreement={world.agreement.pk}").status_code == 404


def test_the_partner_cannot_open_the_decision_page(world):
    file_new(world)
    pk = GrantRequest.objects.get().pk
    assert page_client(world.partner).get(f"/grant-requests/{pk}/decide/").status_code == 403
    assert page_client(world.partner).post(f"/grant-requests/{pk}/approve/", {}).status_code == 403


def test_stats_page_and_csv(world):
    file_new(world)
    client = page_client(world.officer)
    page = client.get("/grant-requests/stats/", {"group_by": "partner"})
    assert page.status_code == 200
    assert (page.context["stats"]["total"]["received"], page.context["stats"]["total"]["pending"]) == (1, 1)
    download = client.get("/grant-requests/stats.csv", {"group_by": "partner"})
    assert download["Content-Disposition"] == 'attachment; filename="grant-request-stats.csv"'
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert [(r["group"], r["label"], r["received"]) for r in rows] == [
        ("partner", world.partner_org.name, "1"),
        ("total", "", "1"),
    ]
    bad = client.get("/grant-requests/stats/", {"date_from": "2027-02-01", "date_to": "2027-01-01"})
    assert bad.status_code == 400
    assert bad.context["form"].errors["date_to"] == ["The period must not end before it starts."]
    assert client.get("/grant-requests/stats.csv", {"date_from": "soon"}).status_code == 400
    # The other partner's measures do not count this partner's request.
    assert page_client(world.other_partner).get("/grant-requests/stats/").context["stats"]["total"]["received"] == 0


def test_request_pages_and_messages_speak_chinese(world, client_for):
    file_new(world)
    grant_request = GrantRequest.objects.get()
    page = page_client(world.officer).get(f"/grant-requests/{grant_request.pk}/decide/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    html = page.content.decode()
    assert f"决定：{world.partner_org.name} 申请使用 {world.personal_dataset.name}" in html
    assert "批准" in html and "拒绝原因" in html
    detail = page_client(world.partner).get(f"/grant-requests/{grant_request.pk}/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert '<span class="badge s-pending" id="request-status">待决定</span>' in detail.content.decode()
    refused = client_for(world.officer).post(
        f"/api/v1/grant-requests/{grant_request.pk}/refuse/", {"reason": "other"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-CN"
    )
    assert refused.json() == {"explanation": ["原因为“其他”时请说明拒绝理由。"]}
    widened = client_for(world.officer).post(
        f"/api/v1/grant-requests/{grant_request.pk}/approve/", {"actions": ["sell"]}, format="json", HTTP_ACCEPT_LANGUAGE="zh-CN"
    )
    assert widened.json() == {"actions": ["未申请的内容不能批准：sell"]}


def test_another_provinces_catalogue_is_not_offered(world):
    f.dataset("FAR-ROADS", world.far_bureau)  # the neighbouring province's data
    form = page_client(world.partner).get(f"/grant-requests/new/?agreement={world.agreement.pk}")
    assert list(form.context["form"].fields["dataset"].queryset) == [world.personal_dataset]
    assert "FAR-ROADS" not in form.content.decode()
