import datetime

import pytest
from django.utils import timezone

from contracts.services.agreements import agreement_amend
from partnerships.actors import actor_for
from partnerships.models import AuditEntry

URL = "/api/v1/audit/"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seqs(response):
    assert response.status_code == 200, response.content
    return [e["seq"] for e in response.json()["results"]]


@pytest.mark.django_db
def test_an_auditor_reads_the_trail_of_their_jurisdiction_newest_first(world, client_for):
    # Entries 1-4: the two agreements of province 33; 5-6: the far province's; 7: the grant.
    response = client_for(world.auditor).get(URL)
    assert seqs(response) == [7, 4, 3, 2, 1]
    first = response.json()["results"][-1]
    assert first["action"] == "agreement.create"
    assert first["object_type"] == "agreement" and first["object_id"] == str(world.agreement.pk)
    assert first["actor"] == world.officer.pk and first["actor_username"] == "officer"
    assert first["organization"] == world.bureau.pk
    assert first["organization_name"] == world.bureau.name
    assert first["before"] is None and first["after"]["reference"] == "ZJ-BOT-001"
    assert first["prev_hash"] == "0" * 64 and len(first["hash"]) == 64
    assert response["X-Request-ID"]


@pytest.mark.django_db
def test_an_administrator_reads_everything(world, client_for):
    assert seqs(client_for(world.admin).get(URL)) == [7, 6, 5, 4, 3, 2, 1]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["officer", "partner", "other_partner", "supervisor", "far_officer"])
def test_others_may_not_read_the_trail(world, client_for, who):
    assert client_for(getattr(world, who)).get(URL).status_code == 403
    assert client_for(getattr(world, who)).get(f"{URL}1/").status_code == 403


@pytest.mark.django_db
def test_anonymous_may_not_read_the_trail(world, client_for):
    assert client_for(None).get(URL).status_code in (401, 403)


@pytest.mark.django_db
def test_one_entry_and_a_foreign_one(world, client_for):
    client = client_for(world.auditor)
    assert client.get(f"{URL}7/").json()["action"] == "grant.create"
    assert client.get(f"{URL}5/").status_code == 404  # the far province's agreement
    assert client.get(f"{URL}999/").status_code == 404


@pytest.mark.django_db
def test_filters_by_object_actor_action_and_time(world, client_for):
    agreement_amend(
        actor=actor_for(world.admin), agreement=world.agreement, rationale="More data", effective_on=datetime.date(2026, 1, 1),
        changes={"title": "政务云二期 E-government cloud, phase 2"},
    )
    client = client_for(world.auditor)
    agreement = {"object_type": "agreement", "object_id": world.agreement.pk}
    assert seqs(client.get(URL, agreement)) == [8, 2, 1]
    assert seqs(client.get(URL, {**agreement, "actor": "admin"})) == [8]
    assert seqs(client.get(URL, {**agreement, "actor": world.officer.pk})) == [2, 1]
    assert seqs(client.get(URL, {"action": "agreement.amend"})) == [8]
    assert seqs(client.get(URL, {"action": "grant."})) == [7]
    assert seqs(client.get(URL, {"object_type": "grant", "object_id": world.permission.pk})) == [7]

    eighth = AuditEntry.objects.get(seq=8).at
    assert seqs(client.get(URL, {"since": eighth.isoformat()})) == [8]
    assert seqs(client.get(URL, {"until": eighth.isoformat(), "action": "agreement.amend"})) == []
    assert seqs(client.get(URL, {"since": (timezone.now() + datetime.timedelta(days=1)).isoformat()})) == []


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{"since": "last week"}, {"until": "2026-02-30T00:00"}, {"organization": "x"}])
def test_bad_filters_are_field_errors(world, client_for, query):
    response = client_for(world.auditor).get(URL, query)
    assert response.status_code == 400
    assert list(response.json()) == list(query)


@pytest.mark.django_db
def test_the_audit_trail_page(world, client):
    client.force_login(world.auditor)
    response = client.get("/audit/", {"object_type": "agreement", "object_id": world.agreement.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert [row[0].seq for row in response.context["rows"]] == [2, 1]
    assert "agreement.activate" in html and "ZJ-BOT-001" in html and "grant.create" not in html
    nonce = response.context["request"].csp_nonce
    assert f'<style nonce="{nonce}">' in html and f"'nonce-{nonce}'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_audit_trail_page_refuses_others_and_bad_filters(world, client):
    assert client.get("/audit/").status_code == 302  # to the login page
    client.force_login(world.partner)
    assert client.get("/audit/").status_code == 403
    client.force_login(world.auditor)
    response = client.get("/audit/", {"since": "last week"})
    assert response.status_code == 400 and response.context["rows"] == []


@pytest.mark.django_db
def test_the_admin_shows_the_trail_read_only(world, client):
    client.force_login(world.admin)
    assert client.get("/admin/partnerships/auditentry/").status_code == 200
    assert client.get("/admin/partnerships/auditentry/1/change/").status_code == 200  # the view page
    response = client.post("/admin/partnerships/auditentry/1/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AuditEntry.objects.filter(seq=1).exists()


@pytest.mark.django_db
def test_a_change_made_in_the_admin_is_recorded(world, client):
    client.force_login(world.admin)
    response = client.post(
        f"/admin/partnerships/organization/{world.partner_org.pk}/change/",
        {
            "name": "云海科技 Yunhai Tech (renamed)", "name_en": "", "kind": "enterprise",
            "credit_code": world.partner_org.credit_code, "region_code": "330100",
        },
    )
    assert response.status_code == 302, response.content
    entry = AuditEntry.objects.get(action="admin.change")
    assert (entry.actor_id, entry.object_type, entry.object_id) == (world.admin.pk, "organization", str(world.partner_org.pk))
    assert "Name" in entry.after["change"]
