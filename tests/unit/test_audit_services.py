"""Each service write leaves one audit entry with its before/after values; secrets never."""

import datetime
import hashlib
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from contracts.services.agreement_parts import document_attach, milestone_add, milestone_set_status, phase_set
from contracts.services.datasets import dataset_create
from contracts.services.declarations import declaration_submit
from notifications.services.alerts import alert_acknowledge, alert_raise
from notifications.services.channels import channel_create
from notifications.services.silences import silence_create
from partnerships.actors import actor_for
from partnerships.models import AuditEntry
from partnerships.services import organization_create, partnership_create, user_create
from partnerships.validators import make_credit_code



def last(action):
    return AuditEntry.objects.filter(action=action).order_by("-seq").first()


@pytest.mark.django_db
def test_parties_users_and_partnerships(world):
    admin = actor_for(world.admin)
    code = make_credit_code("91", "330100", "77777777")
    org = organization_create(actor=admin, name="新伙伴 New Partner", kind="enterprise", credit_code=code, region_code="330100")
    entry = last("organization.create")
    assert (entry.object_type, entry.object_id, entry.organization_id) == ("organization", str(org.pk), org.pk)
    assert entry.after["credit_code"] == code

    user = user_create(
        actor=admin, username="newbie", password="a-long-enough-Passw0rd", email="n@example.test",
        memberships=[(org, "partner")],
    )
    entry = last("user.create")
    assert entry.after == {"username": "newbie", "email": "n@example.test", "memberships": [[org.pk, "partner"]]}
    assert entry.object_id == str(user.pk) and entry.organization_id == org.pk
    assert "Passw0rd" not in str(entry.after) and "md5" not in str(entry.after)

    p = partnership_create(actor=actor_for(world.officer), name="Cloud", government=world.bureau, partner=org)
    entry = last("partnership.create")
    assert (entry.object_id, entry.actor_username, entry.organization_id) == (str(p.pk), "officer", world.bureau.pk)


@pytest.mark.django_db
def test_datasets_phases_milestones_documents(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    officer = actor_for(world.officer)
    agreement = world.agreement
    ds = dataset_create(
        actor=officer, code="TRAFFIC", name="交通 Traffic", owner=world.bureau, grade="important", personal_info="none"
    )
    assert last("dataset.create").after == {
        "code": "TRAFFIC", "name": "交通 Traffic", "owner": world.bureau.pk, "grade": "important", "personal_info": "none",
    }
    assert last("dataset.create").object_id == str(ds.pk)

    phase_set(actor=officer, agreement=agreement, kind="build", planned_start=datetime.date(2026, 1, 1))
    phase_set(
        actor=officer, agreement=agreement, kind="build", planned_start=datetime.date(2026, 1, 1),
        planned_end=datetime.date(2026, 6, 30),
    )
    entry = last("phase.set")
    assert entry.before == {"planned_start": "2026-01-01", "planned_end": None, "actual_start": None, "actual_end": None}
    assert entry.after["planned_end"] == "2026-06-30"

    milestone = milestone_add(
        actor=officer, agreement=agreement, title="Data centre built", due_on=datetime.date(2026, 6, 30),
        responsible=world.partner_org,
    )
    milestone_set_status(actor=officer, milestone=milestone, status="met", met_on=datetime.date(2026, 6, 1))
    entry = last("milestone.set_status")
    assert (entry.before, entry.after) == (
        {"status": "scheduled", "met_on": None}, {"status": "met", "met_on": "2026-06-01"},
    )

    document_attach(
        actor=officer, agreement=agreement, uploaded=SimpleUploadedFile("contract.pdf", b"%PDF-1.7 signed"),
    )
    entry = last("document.attach")
    assert entry.after["sha256"] == hashlib.sha256(b"%PDF-1.7 signed").hexdigest()
    assert entry.after["size"] == len(b"%PDF-1.7 signed")
    call_command("verify_audit")


@pytest.mark.django_db
def test_token_logins_are_recorded_both_ways(world):
    client = APIClient()
    assert client.post("/api/v1/auth/token/", {"username": "partner", "password": "wrong"}, format="json").status_code == 400
    response = client.post(
        "/api/v1/auth/token/", {"username": "partner", "password": "correct-horse-battery"}, format="json",
        HTTP_X_REQUEST_ID="tok-1",
    )
    assert response.status_code == 200
    failed, ok = last("login.failed"), last("login.succeeded")
    assert failed.after["username"] == "partner" and failed.after["path"] == "/api/v1/auth/token/"
    assert (ok.actor_id, ok.after["method"], ok.request_id) == (world.partner.pk, "token", "tok-1")
    assert ok.organization_id == world.partner_org.pk


@pytest.mark.django_db
def test_declarations_and_usage_event_bodies(world, client_for):
    partner = actor_for(world.partner)
    first = declaration_submit(
        actor=partner, agreement=world.agreement, dataset=world.dataset, period_start=datetime.date(2026, 3, 1),
        period_end=datetime.date(2026, 3, 31), purpose="ImprovePublicServices", actions=["read"], record_count=100,
    )
    entry = last("declaration.submit")
    assert (entry.object_type, entry.object_id, entry.organization_id) == ("declaration", str(first.pk), world.bureau.pk)  # the agreement's jurisdiction
    assert entry.after["record_count"] == 100 and entry.after["period_start"] == "2026-03-01"
    correction = declaration_submit(
        actor=partner, agreement=world.agreement, dataset=world.dataset, period_start=datetime.date(2026, 3, 1),
        period_end=datetime.date(2026, 3, 31), purpose="ImprovePublicServices", actions=["read"], record_count=120,
        supersedes=first,
    )
    entry = last("declaration.correct")
    assert entry.object_id == str(correction.pk)
    assert entry.before == {"declaration": first.pk, "record_count": 100} and entry.after["supersedes"] == first.pk

    line = {
        "source": "gateway-a", "event_id": "e-1", "occurred_at": "2026-03-05T10:15:00+08:00", "agreement": "ZJ-BOT-001",
        "dataset": "POP-STATS", "action": "read", "purpose": "ImprovePublicServices", "record_count": 10,
    }
    body = (json.dumps(line) + "\n" + json.dumps(line) + "\n{bad\n").encode()
    response = client_for(world.partner).post("/api/v1/usage-events/", body, content_type="application/x-ndjson")
    assert response.status_code == 200, response.content
    entry = last("usage_events.ingest")
    assert (entry.actor_username, entry.organization_id) == ("partner", world.bureau.pk)
    assert (entry.after["accepted"], entry.after["duplicates"], entry.after["rejected_count"]) == (1, 1, 1)
    assert entry.request_id == response["X-Request-ID"]
    assert AuditEntry.objects.filter(action="usage_events.ingest").count() == 1  # one per body, not per event


@pytest.mark.django_db
def test_alert_lifecycle_channels_and_silences(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        alert, _created = alert_raise(
            kind="quota_exceeded", dedup_key="k1", summary="Quota exceeded", severity="warning",
            agreement=world.agreement, dataset=world.dataset, government_id=world.bureau.pk,
            partner_id=world.partner_org.pk, accountable_party_id=world.partner_org.pk, area="data_security",
        )
        alert_raise(kind="quota_exceeded", dedup_key="k1", summary="Quota exceeded", severity="warning")  # a repeat
    raised = AuditEntry.objects.filter(action="alert.raise")
    assert [(e.object_id, e.actor_id, e.organization_id) for e in raised] == [(str(alert.pk), None, world.bureau.pk)]

    alert_acknowledge(actor=actor_for(world.partner), alert=alert, comment="On it")
    entry = last("alert.acknowledged")
    assert (entry.actor_username, entry.before, entry.after) == ("partner", {"status": "open"}, {"status": "acknowledged", "comment": "On it"})

    channel_create(actor=actor_for(world.supervisor), kind="webhook", name="SOC", target="https://soc.example.test/hook")
    entry = last("channel.create")
    assert entry.after == {"kind": "webhook", "name": "SOC", "target": "https://soc.example.test/hook", "has_secret": True}

    now = timezone.now()
    silence_create(
        actor=actor_for(world.supervisor), matchers={"kind": "quota_exceeded"}, starts_at=now,
        ends_at=now + datetime.timedelta(hours=2), reason="Planned migration",
    )
    entry = last("silence.create")
    assert (entry.actor_username, entry.after["matchers"], entry.after["reason"]) == (
        "supervisor", {"kind": "quota_exceeded"}, "Planned migration",
    )
    call_command("verify_audit")
