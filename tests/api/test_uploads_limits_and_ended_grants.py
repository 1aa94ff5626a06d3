"""Malformed CSV, numbers beyond their column, long file names, grants of ended agreements, and the
audit trail's and the declaration answer's view of a declaration: each used to be a 500 or a wrong answer."""

import datetime
import json
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contracts.models import (
    DataUsePermission,
    Document,
    GrantRequest,
    GrantRequestAttachment,
    PermissionVersion,
    UsageDeclaration,
    UsageEvent,
)
from contracts.services.agreements import agreement_transition
from contracts.services.grant_requests import grant_request_submit
from contracts.services.permissions import permission_set_status
from partnerships.actors import actor_for
from partnerships.models import AuditEntry
from tests import factories as f

EVENTS = "/api/v1/usage-events/"
UPLOAD = "/api/v1/declarations/upload/"
PERMISSIONS = "/api/v1/permissions/"
REQUESTS = "/api/v1/grant-requests/"
CSV_HEADER = "source,event_id,occurred_at,agreement,dataset,action,purpose,record_count\r\n"
DECLARATIONS_HEADER = "agreement,dataset,period_start,period_end,purpose,actions,record_count,recipients,note\n"
T0 = datetime.datetime(2027, 1, 1, tzinfo=datetime.timezone.utc)


def client(client_for, user):
    c = client_for(user)
    c.raise_request_exception = False  # a 500 is answered, not raised, as a client would see it
    return c


def grants():
    """Everything stored about grants, to show a refused request changed nothing."""
    return (
        list(DataUsePermission.objects.order_by("pk").values()),
        list(PermissionVersion.objects.order_by("pk").values()),
        sorted(DataUsePermission.recipients.through.objects.values_list("datausepermission_id", "organization_id")),
    )


def terminate(world):
    agreement_transition(actor=actor_for(world.officer), agreement=world.agreement, action="terminate", reason="Breach")


def last_month():
    end = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    return end.replace(day=1), end


def declaration_body(**overrides):
    start, end = last_month()
    return {
        "agreement": "ZJ-BOT-001",
        "dataset": "POP-STATS",
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "purpose": "ImprovePublicServices",
        "actions": ["read"],
        "record_count": 10,
        **overrides,
    }


# --- 1. malformed CSV ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_csv_event_line_with_a_bare_carriage_return_is_rejected_alone(world, client_for):
    body = (
        CSV_HEADER
        + "gw,e-1,2026-03-05T10:15:00+08:00,ZJ-BOT-001,POP-STATS,read,ImprovePublicServices,3\r\n"
        + "gw,e-2,2026-03-05T10:15:00+08:00,ZJ-BOT-001,POP-STATS,read,Public\rBenefit,3\r\n"
        + "gw,e-3,2026-03-05T10:15:00+08:00,ZJ-BOT-001,POP-STATS,read,ImprovePublicServices,4\r\n"
    ).encode()

    response = client(client_for, world.partner).post(EVENTS, body, content_type="text/csv")

    assert response.status_code == 200, response.content
    answer = response.json()
    assert (answer["accepted"], answer["duplicates"], answer["rejected_count"]) == (2, 0, 1)
    assert answer["rejected"] == [
        {
            "line": 3,
            "errors": {
                "non_field_errors": [
                    "A carriage return (CR) inside a value: quote the value, and end lines with LF or CRLF."
                ]
            },
        }
    ]
    assert sorted(UsageEvent.objects.values_list("event_id", flat=True)) == ["e-1", "e-3"]


@pytest.mark.django_db
def test_a_csv_event_body_with_cr_only_line_endings_is_a_400_and_stores_nothing(world, client_for):
    body = (
        CSV_HEADER.replace("\r\n", "\r")
        + "gw,e-1,2026-03-05T10:15:00+08:00,ZJ-BOT-001,POP-STATS,read,ImprovePublicServices,3\r"
        + "gw,e-2,2026-03-05T10:15:00+08:00,ZJ-BOT-001,POP-STATS,read,ImprovePublicServices,3\r"
    ).encode()

    response = client(client_for, world.partner).post(EVENTS, body, content_type="text/csv")

    assert response.status_code == 400, response.content
    assert response.json() == {
        "body": ["CSV header: lines end with a bare carriage return (CR); end them with LF or CRLF"]
    }
    assert not UsageEvent.objects.exists()
    assert not AuditEntry.objects.filter(action="usage_events.ingest").exists()


@pytest.mark.django_db
def test_a_declaration_upload_with_an_overlong_cell_is_a_400_naming_the_line(world, client_for):
    good = "ZJ-BOT-001,POP-STATS,2026-01-01,2026-01-31,ImprovePublicServices,read,1,,ok\n"
    long_note = "ZJ-BOT-001,POP-STATS,2026-02-01,2026-02-28,ImprovePublicServices,read,1,," + "n" * 131_073 + "\n"
    text = DECLARATIONS_HEADER + good + long_note + good

    response = client(client_for, world.partner).post(UPLOAD, text.encode(), content_type="text/csv")

    assert response.status_code == 400, response.content
    assert response.json() == {
        "created": 0,
        "declarations": [],
        "rejected": [{"line": 3, "errors": {"non_field_errors": ["A value is longer than 131072 characters."]}}],
    }
    assert not UsageDeclaration.objects.exists()


@pytest.mark.django_db
def test_a_declaration_upload_header_with_an_overlong_cell_is_a_400(world, client_for):
    text = "agreement,dataset," + "x" * 131_073 + "\n"

    response = client(client_for, world.partner).post(UPLOAD, text.encode(), content_type="text/csv")

    assert response.status_code == 400, response.content
    assert response.json() == {"file": ["CSV header: a value is longer than 131072 characters."]}
    assert not UsageDeclaration.objects.exists()


# --- 2. numbers too large for their column -----------------------------------------------------


@pytest.mark.django_db
def test_a_grant_quota_beyond_bigint_is_a_400_on_create_and_change(world, client_for):
    officer = client(client_for, world.officer)
    before = grants()
    body = {
        "agreement": world.agreement.reference,
        "dataset": world.personal_dataset.code,
        "actions": ["read"],
        "purposes": ["PublicBenefit"],
        "valid_from": "2026-01-01T00:00:00+08:00",
        "quota_count": 2**63,
    }

    created = officer.post(PERMISSIONS, body, format="json")
    changed = officer.patch(
        f"{PERMISSIONS}{world.permission.pk}/", {"quota_count": 2**63, "reason": "More"}, format="json"
    )

    assert created.status_code == 400, created.content
    assert created.json() == {"quota_count": ["Ensure this value is less than or equal to 9223372036854775807."]}
    assert changed.status_code == 400, changed.content
    assert changed.json() == {"quota_count": ["Ensure this value is less than or equal to 9223372036854775807."]}
    assert grants() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field,value,message",
    [
        ("quota_count", 2**63, "Ensure this value is less than or equal to 9223372036854775807."),
        ("delete_within_days", 2**31, "Ensure this value is less than or equal to 36500."),
    ],
)
def test_a_grant_request_number_beyond_its_column_is_a_400(world, client_for, field, value, message):
    body = {
        "agreement": "ZJ-BOT-001",
        "kind": "new",
        "dataset": "HEALTH-REC",
        "actions": ["read"],
        "purposes": ["PublicBenefit"],
        "valid_from": "2027-01-01T00:00:00Z",
        "justification": "Dashboard.",
        field: value,
    }

    response = client(client_for, world.partner).post(REQUESTS, body, format="json")

    assert response.status_code == 400, response.content
    assert response.json() == {field: [message]}
    assert not GrantRequest.objects.exists()


def test_check_grant_terms_bounds_quota_and_deletion_days():
    from django.core.exceptions import ValidationError

    from contracts.services.permissions import check_grant_terms

    terms = {"actions": ["read"], "purposes": ["PublicBenefit"], "quota_count": 2**63, "delete_within_days": 36501}
    with pytest.raises(ValidationError) as refused:
        check_grant_terms(terms)
    assert sorted(refused.value.message_dict) == ["delete_within_days", "quota_count"]
    check_grant_terms(terms | {"quota_count": 2**63 - 1, "delete_within_days": 36500})  # the bounds themselves pass


# --- 3. long file names ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_document_with_a_long_chinese_name_is_stored_with_its_extension(world, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    name = "政务云建设运营合同" * 10 + ".pdf"
    upload = SimpleUploadedFile(name, b"%PDF-1.7 signed", content_type="application/pdf")

    response = client(client_for, world.officer).post(
        f"/api/v1/agreements/{world.agreement.pk}/documents/", {"file": upload}, format="multipart"
    )

    assert response.status_code == 201, response.content
    stored = Document.objects.get()
    base = os.path.basename(stored.file.name)
    # 58 whole characters (174 bytes) of the name, its extension, and the 65-byte prefix.
    assert base == stored.sha256 + "-" + ("政务云建设运营合同" * 10)[:58] + ".pdf"
    assert len(base.encode()) == 243
    assert stored.file.read() == b"%PDF-1.7 signed"


@pytest.mark.django_db
def test_a_grant_request_attachment_with_a_long_name_is_stored(world, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    asked = grant_request_submit(
        actor=actor_for(world.partner),
        agreement=world.agreement,
        kind="new",
        dataset=world.personal_dataset,
        justification="Dashboard.",
        actions=["read"],
        purposes=["PublicBenefit"],
        valid_from=T0,
    )
    upload = SimpleUploadedFile("a" * 240 + ".txt", b"needs", content_type="text/plain")

    response = client(client_for, world.partner).post(f"{REQUESTS}{asked.pk}/attachments/", {"file": upload})

    assert response.status_code == 201, response.content
    stored = GrantRequestAttachment.objects.get()
    base = os.path.basename(stored.file.name)
    assert base == stored.sha256 + "-" + "a" * 116 + ".txt"
    assert stored.file.read() == b"needs"


def test_short_file_name_cuts_by_bytes_and_keeps_whole_characters():
    from contracts.services.agreement_parts import short_file_name

    assert short_file_name("contract.pdf") == "contract.pdf"
    assert short_file_name("") == "document"
    cut = short_file_name("政务云" * 100 + ".pdf")
    assert cut == "政务云" * 19 + "政.pdf"  # 174 of the 176 bytes left beside ".pdf": no character split
    assert len(cut.encode()) <= 180


# --- 4. grants of an ended agreement --------------------------------------------------------------


@pytest.mark.django_db
def test_a_grant_of_a_terminated_agreement_cannot_be_widened(world, client_for):
    terminate(world)
    before = grants()

    response = client(client_for, world.officer).patch(
        f"{PERMISSIONS}{world.permission.pk}/",
        {"actions": ["read", "aggregate", "sell"], "reason": "More"},
        format="json",
    )

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "agreement_final"
    assert grants() == before
    assert DataUsePermission.objects.get(pk=world.permission.pk).actions == ["aggregate", "read"]


@pytest.mark.django_db
def test_a_suspended_grant_of_a_terminated_agreement_cannot_be_reinstated(world, client_for):
    permission_set_status(actor=actor_for(world.officer), permission=world.permission, action="suspend", reason="Audit")
    terminate(world)
    before = grants()

    response = client(client_for, world.officer).post(
        f"{PERMISSIONS}{world.permission.pk}/reinstate/", {"reason": "Cleared"}, format="json"
    )

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "agreement_final"
    assert grants() == before
    assert DataUsePermission.objects.get(pk=world.permission.pk).status == "suspended"


@pytest.mark.django_db
def test_a_change_request_approved_after_termination_is_a_conflict(world, client_for):
    asked = grant_request_submit(
        actor=actor_for(world.partner),
        agreement=world.agreement,
        kind="change",
        permission=world.permission,
        justification="Resale pilot.",
        actions=["read", "aggregate", "sell"],
    )
    terminate(world)
    before = grants()

    response = client(client_for, world.officer).post(f"{REQUESTS}{asked.pk}/approve/", {}, format="json")

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "agreement_final"
    assert grants() == before
    assert GrantRequest.objects.get(pk=asked.pk).status == "pending"


@pytest.mark.django_db
def test_a_grant_of_a_terminated_agreement_can_still_be_suspended_and_revoked(world, client_for):
    terminate(world)
    officer = client(client_for, world.officer)

    suspended = officer.post(f"{PERMISSIONS}{world.permission.pk}/suspend/", {"reason": "Ended"}, format="json")
    assert suspended.status_code == 200, suspended.content
    assert DataUsePermission.objects.get(pk=world.permission.pk).status == "suspended"

    revoked = officer.post(f"{PERMISSIONS}{world.permission.pk}/revoke/", {"reason": "Ended"}, format="json")
    assert revoked.status_code == 200, revoked.content
    assert DataUsePermission.objects.get(pk=world.permission.pk).status == "revoked"


# --- 5. the audit trail of declarations and usage events ----------------------------------------


@pytest.mark.django_db
def test_a_declaration_is_in_the_trail_of_the_agreements_government_not_the_partners(world, client_for):
    f.agreement(world.far_officer, world.far_bureau, world.partner_org, reference="JS-CROSS-1", model="SERVICE")
    far_auditor = f.user("far_auditor", (f.organization("Far Audit Office", "regulator", "320000"), "auditor"))

    posted = client(client_for, world.partner).post(
        "/api/v1/declarations/", declaration_body(agreement="JS-CROSS-1"), format="json"
    )
    assert posted.status_code == 201, posted.content

    far = client_for(far_auditor).get("/api/v1/audit/", {"action": "declaration.submit"}).json()["results"]
    near = client_for(world.auditor).get("/api/v1/audit/", {"action": "declaration.submit"}).json()["results"]
    assert [(e["object_id"], e["organization"]) for e in far] == [(str(posted.json()["id"]), world.far_bureau.pk)]
    assert near == []


@pytest.mark.django_db
def test_an_event_body_is_in_the_trail_of_the_government_of_the_agreements_it_touched(world, client_for):
    cross = f.agreement(world.far_officer, world.far_bureau, world.partner_org, reference="JS-CROSS-1", model="SERVICE")
    partner = client(client_for, world.partner)

    def line(n, agreement):
        return json.dumps({
            "source": "gw", "event_id": f"e-{n}", "occurred_at": "2026-03-05T10:15:00+08:00", "agreement": agreement,
            "dataset": "POP-STATS", "action": "read", "purpose": "ImprovePublicServices",
        }) + "\n"  # fmt: skip

    far_only = partner.post(EVENTS, (line(1, cross.reference) + "{bad\n").encode(), content_type="application/x-ndjson")
    both = partner.post(
        EVENTS, (line(2, cross.reference) + line(3, "ZJ-BOT-001")).encode(), content_type="application/x-ndjson"
    )

    assert far_only.status_code == 200 and both.status_code == 200
    entries = list(AuditEntry.objects.filter(action="usage_events.ingest").order_by("seq"))
    # One government: its province's auditors. Two provinces: no single jurisdiction, administrators only.
    assert [e.organization_id for e in entries] == [world.far_bureau.pk, None]


# --- 6. the declaration answer --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_recipient_named_twice_is_answered_once_as_stored(world, client_for):
    org = world.other_partner_org
    partner = client(client_for, world.partner)

    posted = partner.post(
        "/api/v1/declarations/", declaration_body(recipients=[org.pk, org.credit_code]), format="json"
    )

    assert posted.status_code == 201, posted.content
    read = partner.get(f"/api/v1/declarations/{posted.json()['id']}/")
    assert posted.json()["recipients"] == read.json()["recipients"] == [org.pk]
    entry = AuditEntry.objects.get(action="declaration.submit")
    assert entry.after["recipients"] == [org.pk]
