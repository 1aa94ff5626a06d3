import datetime
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts.models import DataUsePermission, GrantRequest, GrantRequestComment, PermissionVersion
from partnerships.actors import actor_for
from contracts.services.permissions import permission_change, permission_set_status
from tests import factories as f

URL = "/api/v1/grant-requests/"
T0 = datetime.datetime(2027, 1, 1, tzinfo=datetime.timezone.utc)


def iso(dt):
    return dt.isoformat().replace("+00:00", "Z")


@pytest.fixture
def recipient(world):
    return f.organization("市卫健委 City Health Commission", "government", "330100")


def ask_new(client, world, recipient, **overrides):
    return client.post(URL, {**ask_new_body(recipient), **overrides}, format="json")


def ask_new_body(recipient) -> dict:
    return {
        "agreement": "ZJ-BOT-001",
        "kind": "new",
        "dataset": "HEALTH-REC",
        "actions": ["read", "aggregate", "derive"],
        "purposes": ["PublicBenefit"],
        "valid_from": iso(T0),
        "valid_until": iso(T0 + datetime.timedelta(days=365)),
        "quota_count": 5000,
        "quota_interval": "month",
        "recipients": [recipient.credit_code],
        "justification": "Hospital wait-time dashboard for the provincial portal.",
    }


@pytest.mark.django_db
def test_ask_question_answer_and_narrowed_approval_grants_exactly_the_approved_scope(world, client_for, recipient):
    partner, officer = client_for(world.partner), client_for(world.officer)

    asked = ask_new(partner, world, recipient)
    assert asked.status_code == 201, asked.data
    rid = asked.data["id"]
    assert asked.data["status"] == "pending"
    assert asked.data["kind"] == "new"
    assert asked.data["actions"] == ["aggregate", "derive", "read"]
    assert asked.data["recipients"] == [recipient.pk]
    assert [c["field"] for c in asked.data["changes"]][:3] == ["actions", "purposes", "valid_from"]
    # Nothing is granted before a decision.
    assert not DataUsePermission.objects.filter(agreement=world.agreement, dataset=world.personal_dataset).exists()

    question = officer.post(f"{URL}{rid}/comments/", {"body": "Why derive? Who receives it?"}, format="json")
    assert question.status_code == 201, question.data
    answer = partner.post(f"{URL}{rid}/comments/", {"body": "Derived wait-time indicators only."}, format="json")
    assert answer.status_code == 201

    detail = partner.get(f"{URL}{rid}/")
    assert [(c["author"], c["side"], c["body"]) for c in detail.data["comments"]] == [
        ("officer", "government", "Why derive? Who receives it?"),
        ("partner", "partner", "Derived wait-time indicators only."),
    ]

    approved = officer.post(
        f"{URL}{rid}/approve/",
        {
            "actions": ["read", "aggregate"],
            "purposes": ["ImprovePublicServices"],  # a child of the asked PublicBenefit: narrower
            "valid_until": iso(T0 + datetime.timedelta(days=180)),
            "quota_count": 2000,
            "recipients": [],
            "anonymize_required": True,
            "note": "Aggregates only, half a year first.",
        },
        format="json",
    )
    assert approved.status_code == 200, approved.data
    assert approved.data["status"] == "approved"
    assert approved.data["decision"] == "narrowed"
    assert approved.data["decided_by"] == "officer"
    assert approved.data["narrowed_fields"] == [
        "actions",
        "purposes",
        "valid_until",
        "quota_count",
        "anonymize_required",
        "recipients",
    ]

    permission = DataUsePermission.objects.get(agreement=world.agreement, dataset=world.personal_dataset)
    assert permission.actions == ["aggregate", "read"]
    assert permission.purposes == ["ImprovePublicServices"]
    assert permission.valid_from == T0
    assert permission.valid_until == T0 + datetime.timedelta(days=180)
    assert (permission.quota_count, permission.quota_interval, permission.quota_unit) == (2000, "month", "records")
    assert permission.anonymize_required is True
    assert list(permission.recipients.all()) == []
    assert permission.version == 1
    version = permission.versions.get()
    assert version.grant_request.pk == rid
    assert (version.change, version.actions, version.recipient_ids) == ("grant", ["aggregate", "read"], [])
    assert approved.data["resulting_version"] == {"permission": permission.pk, "number": 1, "id": version.pk}
    assert approved.data["approved_terms"]["actions"] == ["aggregate", "read"]

    # The thread closes with the decision, and a second decision is refused.
    assert partner.post(f"{URL}{rid}/comments/", {"body": "Thanks"}, format="json").status_code == 409
    again = officer.post(f"{URL}{rid}/refuse/", {"reason": "other", "explanation": "x"}, format="json")
    assert again.status_code == 409
    assert GrantRequest.objects.get(pk=rid).status == "approved"


@pytest.mark.django_db
def test_approval_as_asked_is_a_full_decision(world, client_for, recipient):
    rid = ask_new(client_for(world.partner), world, recipient).data["id"]
    approved = client_for(world.officer).post(f"{URL}{rid}/approve/", {}, format="json")
    assert approved.status_code == 200, approved.data
    assert (approved.data["decision"], approved.data["narrowed_fields"]) == ("full", [])
    permission = DataUsePermission.objects.get(agreement=world.agreement, dataset=world.personal_dataset)
    assert permission.actions == ["aggregate", "derive", "read"]
    assert list(permission.recipients.values_list("pk", flat=True)) == [recipient.pk]


@pytest.mark.django_db
def test_change_request_on_a_grant_makes_its_next_version(world, client_for):
    partner, officer = client_for(world.partner), client_for(world.officer)
    before = list(world.permission.versions.values_list("number", "actions", "quota_count"))
    assert before == [(1, ["aggregate", "read"], 10_000)]

    asked = partner.post(
        URL,
        {
            "agreement": world.agreement.pk,
            "kind": "change",
            "permission": world.permission.pk,
            "actions": ["read", "aggregate", "derive"],
            "quota_count": 20_000,
            "justification": "Seasonal peak in the tourism service.",
        },
        format="json",
    )
    assert asked.status_code == 201, asked.data
    # Only what differs from the grant is shown as asked.
    assert asked.data["changes"] == [
        {"field": "actions", "granted": ["aggregate", "read"], "asked": ["aggregate", "derive", "read"]},
        {"field": "quota_count", "granted": 10_000, "asked": 20_000},
    ]
    assert asked.data["dataset"] == world.dataset.pk
    assert asked.data["base_version"] == 1

    approved = officer.post(f"{URL}{asked.data['id']}/approve/", {"quota_count": 15_000}, format="json")
    assert approved.status_code == 200, approved.data
    assert (approved.data["decision"], approved.data["narrowed_fields"]) == ("narrowed", ["quota_count"])

    world.permission.refresh_from_db()
    assert (world.permission.version, world.permission.actions, world.permission.quota_count) == (
        2,
        ["aggregate", "derive", "read"],
        15_000,
    )
    v1, v2 = world.permission.versions.order_by("number")
    assert (v1.actions, v1.quota_count, v1.effective_to) == (["aggregate", "read"], 10_000, v2.effective_from)
    assert (v2.change, v2.grant_request.pk, v2.reason) == ("change", asked.data["id"], f"Grant request #{asked.data['id']} approved")
    assert PermissionVersion.objects.filter(pk=v1.pk, grant_request__isnull=False).count() == 0
    # The grant's history in the API names the request each version came from.
    history = officer.get(f"/api/v1/permissions/{world.permission.pk}/versions/").json()["results"]
    assert [(r["number"], r["grant_request"]) for r in history] == [(1, None), (2, asked.data["id"])]


@pytest.mark.django_db
def test_change_request_must_ask_for_something_new(world, client_for):
    response = client_for(world.partner).post(
        URL,
        {
            "agreement": "ZJ-BOT-001",
            "kind": "change",
            "permission": world.permission.pk,
            "actions": ["aggregate", "read"],
            "justification": "Same again",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.data
    assert GrantRequest.objects.count() == 0


@pytest.mark.django_db
def test_approving_a_change_after_the_grant_moved_is_a_conflict(world, client_for):
    asked = client_for(world.partner).post(
        URL,
        {"agreement": "ZJ-BOT-001", "kind": "change", "permission": world.permission.pk, "quota_count": 50_000,
         "justification": "More records"},
        format="json",
    )
    assert asked.status_code == 201
    permission_change(actor=actor_for(world.officer), permission=world.permission, reason="Tightened", quota_count=5000)
    response = client_for(world.officer).post(f"{URL}{asked.data['id']}/approve/", {}, format="json")
    assert response.status_code == 409
    assert response.data["code"] == "grant_changed"
    world.permission.refresh_from_db()
    assert (world.permission.version, world.permission.quota_count) == (2, 5000)
    assert GrantRequest.objects.get(pk=asked.data["id"]).status == "pending"


@pytest.mark.django_db
def test_refusal_records_reason_and_grants_nothing(world, client_for, recipient):
    rid = ask_new(client_for(world.partner), world, recipient).data["id"]
    officer = client_for(world.officer)

    bad = officer.post(f"{URL}{rid}/refuse/", {"reason": "Not needed"}, format="json")
    assert bad.status_code == 400
    assert list(bad.data) == ["reason"]
    other = officer.post(f"{URL}{rid}/refuse/", {"reason": "other"}, format="json")
    assert other.status_code == 400
    assert list(other.data) == ["explanation"]
    assert GrantRequest.objects.get(pk=rid).status == "pending"

    refused = officer.post(
        f"{URL}{rid}/refuse/",
        {"reason": "personal_information", "explanation": "Sensitive health data; use the statistics service."},
        format="json",
    )
    assert refused.status_code == 200, refused.data
    assert (refused.data["status"], refused.data["refusal_reason"], refused.data["decided_by"]) == (
        "refused",
        "personal_information",
        "officer",
    )
    assert refused.data["refusal_text"] == "Sensitive health data; use the statistics service."
    assert refused.data["resulting_version"] is None
    assert not DataUsePermission.objects.filter(dataset=world.personal_dataset).exists()
    assert client_for(world.officer).post(f"{URL}{rid}/approve/", {}, format="json").status_code == 409


@pytest.mark.django_db
@pytest.mark.parametrize(
    "narrowing, field",
    [
        ({"actions": ["read", "sell"]}, "actions"),
        ({"purposes": ["CommercialPurpose"]}, "purposes"),
        ({"quota_count": 5001}, "quota_count"),
        ({"quota_count": None}, "quota_count"),
        ({"quota_interval": "year"}, "quota_interval"),
        ({"valid_until": None}, "valid_until"),
        ({"valid_from": iso(T0 - datetime.timedelta(days=1))}, "valid_from"),
        ({"declaration_schedule": "yearly"}, "declaration_schedule"),
        ({"declaration_due_days": 30}, "declaration_due_days"),
    ],
)
def test_an_approval_cannot_widen_the_request(world, client_for, recipient, narrowing, field):
    rid = ask_new(client_for(world.partner), world, recipient).data["id"]
    response = client_for(world.officer).post(f"{URL}{rid}/approve/", narrowing, format="json")
    assert response.status_code == 400, response.data
    assert list(response.data) == [field]
    assert GrantRequest.objects.get(pk=rid).status == "pending"
    assert not DataUsePermission.objects.filter(dataset=world.personal_dataset).exists()


@pytest.mark.django_db
def test_an_approval_cannot_add_a_recipient(world, client_for, recipient):
    rid = ask_new(client_for(world.partner), world, recipient, recipients=[]).data["id"]
    response = client_for(world.officer).post(
        f"{URL}{rid}/approve/", {"recipients": [recipient.pk]}, format="json"
    )
    assert response.status_code == 400
    assert list(response.data) == ["recipients"]


@pytest.mark.django_db
def test_other_partners_and_other_provinces_get_404(world, client_for, recipient):
    rid = ask_new(client_for(world.partner), world, recipient).data["id"]
    for user in (world.other_partner, world.far_officer):
        client = client_for(user)
        assert client.get(f"{URL}{rid}/").status_code == 404
        assert client.post(f"{URL}{rid}/comments/", {"body": "hi"}, format="json").status_code == 404
        assert client.post(f"{URL}{rid}/approve/", {}, format="json").status_code == 404
        assert client.post(f"{URL}{rid}/refuse/", {"reason": "other", "explanation": "x"}, format="json").status_code == 404
        assert client.get(URL).data["count"] == 0
    assert GrantRequestComment.objects.count() == 0
    assert GrantRequest.objects.get(pk=rid).status == "pending"
    # The other partner cannot file under an agreement it is not party to: it reads as unknown.
    response = client_for(world.other_partner).post(
        URL, {"agreement": "ZJ-BOT-001", "kind": "new", "dataset": "HEALTH-REC", "actions": ["read"],
              "purposes": ["PublicBenefit"], "justification": "x"}, format="json",
    )
    assert response.status_code == 400
    assert list(response.data) == ["agreement"]


@pytest.mark.django_db
def test_roles_that_see_a_request_but_may_not_act_get_403(world, client_for, recipient):
    rid = ask_new(client_for(world.partner), world, recipient).data["id"]
    assert client_for(world.partner).post(f"{URL}{rid}/approve/", {}, format="json").status_code == 403
    assert client_for(world.supervisor).get(f"{URL}{rid}/").status_code == 200
    assert client_for(world.auditor).post(f"{URL}{rid}/comments/", {"body": "x"}, format="json").status_code == 403
    assert client_for(world.auditor).post(f"{URL}{rid}/approve/", {}, format="json").status_code == 403
    officer_asks = ask_new(client_for(world.officer), world, recipient, dataset="POP-STATS")
    assert officer_asks.status_code == 403
    assert GrantRequest.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides, fields",
    [
        ({"justification": ""}, ["justification"]),
        ({"actions": ["read", "teleport"]}, ["actions"]),
        ({"purposes": []}, ["purposes"]),
        ({"purpose": ["PublicBenefit"]}, ["purpose"]),
        ({"kind": "extend"}, ["kind"]),
        ({"dataset": "NO-SUCH"}, ["dataset"]),
        ({"quota_count": -1}, ["quota_count"]),
        ({"valid_until": iso(T0 - datetime.timedelta(days=1))}, ["valid_until"]),
        ({"dataset": "POP-STATS"}, ["dataset"]),  # already granted: ask for a change instead
        ({"kind": "change", "dataset": None}, ["permission"]),
        ({"recipients": ["not-a-credit-code"]}, ["recipients"]),
        ({"valid_from": "yesterday"}, ["valid_from"]),
    ],
)
def test_bad_requests_are_400_with_the_field_named(world, client_for, recipient, overrides, fields):
    response = ask_new(client_for(world.partner), world, recipient, **overrides)
    assert response.status_code == 400, response.data
    assert sorted(response.data) == fields
    assert GrantRequest.objects.count() == 0


@pytest.mark.django_db
def test_one_pending_request_per_dataset(world, client_for, recipient):
    assert ask_new(client_for(world.partner), world, recipient).status_code == 201
    second = ask_new(client_for(world.partner), world, recipient)
    assert second.status_code == 400
    assert list(second.data) == ["dataset"]


@pytest.mark.django_db
def test_a_revoked_grant_is_not_asked_for_again_and_the_answer_says_so(world, client_for, recipient):
    permission_set_status(actor=actor_for(world.officer), permission=world.permission, action="revoke", reason="misuse")
    partner = client_for(world.partner)
    response = ask_new(partner, world, recipient, dataset="POP-STATS")
    assert response.status_code == 400
    assert response.json() == {
        "dataset": ["This agreement's grant for this dataset was revoked; it cannot be asked for again under this agreement."]
    }
    in_chinese = partner.post(
        URL, {**ask_new_body(recipient), "dataset": "POP-STATS"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-CN"
    )
    assert in_chinese.json() == {"dataset": ["该协议对此数据集的授权已被撤销，本协议下不能再次申请。"]}
    assert GrantRequest.objects.count() == 0


@pytest.mark.django_db
def test_no_request_under_an_agreement_that_is_not_active(world, client_for, recipient):
    draft = f.agreement(world.officer, world.bureau, world.partner_org, reference="ZJ-DRAFT-9", active=False)
    response = ask_new(client_for(world.partner), world, recipient, agreement=draft.reference)
    assert response.status_code == 409
    assert response.data["code"] == "agreement_not_active"


@pytest.mark.django_db
def test_attachments_keep_their_digest_and_download_to_both_sides(world, client_for, recipient, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    rid = ask_new(client_for(world.partner), world, recipient).data["id"]
    content = "数据需求说明 data needs statement".encode()
    upload = SimpleUploadedFile("needs.txt", content, content_type="text/plain")
    response = client_for(world.partner).post(f"{URL}{rid}/attachments/", {"file": upload, "title": "Needs"})
    assert response.status_code == 201, response.data
    assert (response.data["sha256"], response.data["size"]) == (hashlib.sha256(content).hexdigest(), len(content))
    download = client_for(world.officer).get(f"{URL}{rid}/attachments/{response.data['id']}/file/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert client_for(world.other_partner).get(f"{URL}{rid}/attachments/{response.data['id']}/file/").status_code == 404
    missing = client_for(world.partner).post(f"{URL}{rid}/attachments/", {"title": "No file"})
    assert missing.status_code == 400
    assert list(missing.data) == ["file"]


@pytest.mark.django_db
def test_partner_withdraws_a_pending_request(world, client_for, recipient):
    rid = ask_new(client_for(world.partner), world, recipient).data["id"]
    assert client_for(world.officer).post(f"{URL}{rid}/withdraw/").status_code == 403
    response = client_for(world.partner).post(f"{URL}{rid}/withdraw/")
    assert response.status_code == 200
    assert response.data["status"] == "withdrawn"
    assert client_for(world.officer).post(f"{URL}{rid}/approve/", {}, format="json").status_code == 409
    # Withdrawn, the dataset may be asked for again.
    assert ask_new(client_for(world.partner), world, recipient).status_code == 201


@pytest.mark.django_db
def test_list_filters(world, client_for, recipient):
    rid = ask_new(client_for(world.partner), world, recipient).data["id"]
    officer = client_for(world.officer)
    assert [r["id"] for r in officer.get(URL, {"status": "pending"}).data["results"]] == [rid]
    assert officer.get(URL, {"status": "refused"}).data["count"] == 0
    assert officer.get(URL, {"partner": world.other_partner_org.pk}).data["count"] == 0
    assert officer.get(URL, {"status": "nonsense"}).status_code == 400


@pytest.mark.django_db
def test_messages_in_chinese(world, client_for, recipient):
    rid = ask_new(client_for(world.partner), world, recipient).data["id"]
    officer = client_for(world.officer)
    refused = officer.post(f"{URL}{rid}/refuse/", {"reason": "other"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert refused.json() == {"explanation": ["原因为“其他”时请说明拒绝理由。"]}
    widened = officer.post(f"{URL}{rid}/approve/", {"actions": ["sell"]}, format="json", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert widened.json() == {"actions": ["未申请的内容不能批准：sell"]}
    assert officer.get(f"{URL}{rid}/", HTTP_ACCEPT_LANGUAGE="zh-CN").json()["status"] == "pending"  # codes stay codes


@pytest.mark.django_db
def test_another_provinces_dataset_reads_as_unknown(world, client_for, recipient):
    f.dataset("FAR-ROADS", world.far_bureau)
    partner = client_for(world.partner)
    foreign = ask_new(partner, world, recipient, dataset="FAR-ROADS")
    unknown = ask_new(partner, world, recipient, dataset="NO-SUCH")
    assert foreign.status_code == unknown.status_code == 400
    assert foreign.json() == {"dataset": ["No dataset with id or code FAR-ROADS."]}
    assert unknown.json() == {"dataset": ["No dataset with id or code NO-SUCH."]}
    assert GrantRequest.objects.count() == 0
