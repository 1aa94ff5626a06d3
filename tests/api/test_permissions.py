import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from contracts.models import DataUsePermission, PermissionVersion
from contracts.services.agreements import agreement_transition
from contracts.services.permissions import permission_change, permission_set_status
from partnerships.actors import actor_for
from tests import factories as f

URL = "/api/v1/permissions/"
T0 = timezone.now().replace(microsecond=0) - datetime.timedelta(days=30)


def iso(dt):
    return timezone.localtime(dt).isoformat()


def grant_body(world, **extra):
    body = {
        "agreement": world.agreement.reference,
        "dataset": world.personal_dataset.code,
        "actions": ["read", "aggregate"],
        "purposes": ["ImprovePublicServices", "ScientificResearch"],
        "valid_from": "2026-01-01T00:00:00+08:00",
        "valid_until": "2027-01-01T00:00:00+08:00",
        "quota_count": 5000,
        "quota_interval": "month",
        "quota_unit": "records",
        "recipients": [world.other_partner_org.credit_code],
        "declaration_schedule": "quarterly",
        "declaration_due_days": 15,
        "delete_within_days": 30,
        "anonymize_required": True,
    }
    body.update(extra)
    return body


def snapshot():
    """Everything stored about grants, to show a refused request changed nothing."""
    return (
        list(DataUsePermission.objects.order_by("pk").values()),
        list(PermissionVersion.objects.order_by("pk").values()),
        sorted(DataUsePermission.recipients.through.objects.values_list("datausepermission_id", "organization_id")),
    )


@pytest.mark.django_db
def test_officer_grants_naming_everything_by_code(world, client_for):
    response = client_for(world.officer).post(URL, grant_body(world), format="json")
    assert response.status_code == 201, response.json()
    grant = DataUsePermission.objects.get(agreement=world.agreement, dataset=world.personal_dataset)
    body = response.json()
    assert body == {
        "id": grant.pk,
        "agreement": world.agreement.pk,
        "agreement_reference": "ZJ-BOT-001",
        "dataset": world.personal_dataset.pk,
        "dataset_code": "HEALTH-REC",
        "actions": ["aggregate", "read"],
        "purposes": ["ImprovePublicServices", "ScientificResearch"],
        "valid_from": "2026-01-01T00:00:00+08:00",
        "valid_until": "2027-01-01T00:00:00+08:00",
        "quota_count": 5000,
        "quota_interval": "month",
        "quota_unit": "records",
        "declaration_schedule": "quarterly",
        "declaration_due_days": 15,
        "delete_within_days": 30,
        "anonymize_required": True,
        "recipients": [world.other_partner_org.pk],
        "status": "active",
        "status_reason": "",
        "status_changed_by": None,
        "status_changed_at": None,
        "version": 1,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert list(grant.versions.values_list("number", "change", "status")) == [(1, "grant", "active")]


@pytest.mark.django_db
def test_grant_by_ids(world, client_for):
    body = grant_body(world, agreement=world.other_agreement.pk, dataset=world.dataset.pk, recipients=[world.partner_org.pk])
    response = client_for(world.officer).post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["recipients"] == [world.partner_org.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, field",
    [
        ({"actions": ["read", "exfiltrate"]}, "actions"),
        ({"actions": []}, "actions"),
        ({"purposes": ["Curiosity"]}, "purposes"),
        ({"purposes": "PublicBenefit"}, "purposes"),
        ({"valid_until": "2025-12-31T00:00:00+08:00"}, "valid_until"),
        ({"valid_until": "2026-01-01T00:00:00+08:00"}, "valid_until"),
        ({"valid_from": "next tuesday"}, "valid_from"),
        ({"quota_count": -1}, "quota_count"),
        ({"quota_interval": "fortnight"}, "quota_interval"),
        ({"quota_unit": "bytes"}, "quota_unit"),
        ({"declaration_schedule": "daily"}, "declaration_schedule"),
        ({"dataset": "NO-SUCH-DATA"}, "dataset"),
        ({"agreement": "NO-SUCH-AGREEMENT"}, "agreement"),
        ({"agreement": 10**12}, "agreement"),
        ({"recipients": ["91330000MA00000000"]}, "recipients"),
        ({"status": "revoked"}, "status"),
        ({"dataset": "POP-STATS"}, "dataset"),  # already granted under this agreement
    ],
)
def test_bad_grant_is_refused_field_by_field(world, client_for, change, field):
    before = snapshot()
    response = client_for(world.officer).post(URL, grant_body(world, **change), format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert snapshot() == before


@pytest.mark.django_db
def test_unknown_action_message_names_the_code(world, client_for):
    response = client_for(world.officer).post(URL, grant_body(world, actions=["read", "exfiltrate"]), format="json")
    assert response.json() == {"actions": {"1": ['"exfiltrate" is not a valid choice.']}}


@pytest.mark.django_db
def test_missing_terms_are_named(world, client_for):
    response = client_for(world.officer).post(URL, {}, format="json")
    assert response.status_code == 400
    assert sorted(response.json()) == ["actions", "agreement", "dataset", "purposes", "valid_from"]


@pytest.mark.django_db
def test_grant_under_a_foreign_agreement_reads_as_unknown(world, client_for):
    before = snapshot()
    response = client_for(world.officer).post(URL, grant_body(world, agreement=world.far_agreement.pk), format="json")
    assert response.status_code == 400
    assert response.json() == {"agreement": [f"No agreement with id or code {world.far_agreement.pk}."]}
    assert snapshot() == before


@pytest.mark.django_db
def test_grant_under_a_final_agreement_is_a_conflict(world, client_for):
    client = client_for(world.officer)
    agreement_transition(actor=actor_for(world.officer), agreement=world.agreement, action="terminate", reason="Breach")
    before = snapshot()
    response = client.post(URL, grant_body(world), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "agreement_final"
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["partner", "other_partner", "supervisor", "auditor"])
def test_only_officers_and_admins_write_grants(world, client_for, persona):
    client = client_for(getattr(world, persona))
    before = snapshot()
    pk = world.permission.pk
    assert client.post(URL, grant_body(world), format="json").status_code == 403
    assert client.patch(f"{URL}{pk}/", {"quota_count": 1, "reason": "x"}, format="json").status_code == 403
    for transition in ("suspend", "reinstate", "revoke"):
        assert client.post(f"{URL}{pk}/{transition}/", {"reason": "x"}, format="json").status_code == 403
    assert snapshot() == before


@pytest.mark.django_db
def test_anonymous_is_refused(world, client_for):
    client = client_for(None)
    before = snapshot()
    assert client.get(URL).status_code == 401
    assert client.get(f"{URL}{world.permission.pk}/").status_code == 401
    assert client.post(URL, grant_body(world), format="json").status_code == 401
    assert client.post(f"{URL}{world.permission.pk}/revoke/", {"reason": "x"}, format="json").status_code == 401
    assert snapshot() == before


@pytest.mark.django_db
def test_foreign_grant_is_404_everywhere_and_unchanged(world, client_for):
    far_grant = f.grant(world.far_officer, world.far_agreement, f.dataset("FAR-DATA", world.far_bureau))
    # The other partner's grant is as foreign to this partner as another province's.
    other = f.grant(world.officer, world.other_agreement, world.dataset)
    before = snapshot()
    cases = [(user, far_grant) for user in (world.officer, world.partner, world.supervisor, world.auditor)]
    cases.append((world.partner, other))
    for user, grant in cases:
        client = client_for(user)
        base = f"{URL}{grant.pk}/"
        assert client.get(base).status_code == 404
        assert client.get(base, {"at": iso(timezone.now())}).status_code == 404
        assert client.get(f"{base}versions/").status_code == 404
    officer = client_for(world.officer)
    base = f"{URL}{far_grant.pk}/"
    assert officer.patch(base, {"quota_count": 1, "reason": "x"}, format="json").status_code == 404
    for transition in ("suspend", "reinstate", "revoke"):
        assert officer.post(f"{base}{transition}/", {"reason": "x"}, format="json").status_code == 404
    assert snapshot() == before


@pytest.mark.django_db
def test_admin_grants_under_any_agreement(world, client_for):
    far_dataset = f.dataset("FAR-DATA", world.far_bureau)
    body = grant_body(world, agreement="JS-JV-001", dataset="FAR-DATA", recipients=[])
    response = client_for(world.admin).post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    assert DataUsePermission.objects.filter(agreement=world.far_agreement, dataset=far_dataset).count() == 1


@pytest.mark.django_db
def test_list_is_scoped_and_filtered(world, client_for):
    other = f.grant(world.officer, world.other_agreement, world.dataset)
    health = f.grant(world.officer, world.agreement, world.personal_dataset)
    far = f.grant(world.far_officer, world.far_agreement, f.dataset("FAR-DATA", world.far_bureau))

    def ids(user, **params):
        response = client_for(user).get(URL, params)
        assert response.status_code == 200, response.json()
        return sorted(row["id"] for row in response.json()["results"])

    assert ids(world.officer) == sorted([world.permission.pk, other.pk, health.pk])
    assert ids(world.supervisor) == sorted([world.permission.pk, other.pk, health.pk])
    assert ids(world.partner) == sorted([world.permission.pk, health.pk])
    assert ids(world.other_partner) == [other.pk]
    assert ids(world.far_officer) == [far.pk]
    assert ids(world.officer, agreement="ZJ-BOT-001") == sorted([world.permission.pk, health.pk])
    assert ids(world.officer, agreement=world.other_agreement.pk) == [other.pk]
    assert ids(world.officer, agreement=world.far_agreement.pk) == []
    assert ids(world.officer, dataset="HEALTH-REC") == [health.pk]
    assert ids(world.officer, dataset=world.dataset.pk) == sorted([world.permission.pk, other.pk])
    client_for(world.officer).post(f"{URL}{health.pk}/suspend/", {"reason": "Leak under investigation"}, format="json")
    assert ids(world.officer, status="suspended") == [health.pk]
    assert ids(world.officer, status="active") == sorted([world.permission.pk, other.pk])
    assert client_for(world.officer).get(URL, {"status": "paused"}).status_code == 400


@pytest.mark.django_db
def test_patch_changes_terms_as_a_new_version(world, client_for):
    pk = world.permission.pk
    response = client_for(world.officer).patch(
        f"{URL}{pk}/",
        {"quota_count": 20000, "actions": ["read"], "recipients": [world.other_partner_org.pk], "reason": "Amendment 2"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["quota_count"], body["actions"], body["recipients"], body["version"]) == (
        20000, ["read"], [world.other_partner_org.pk], 2,
    )  # fmt: skip
    versions = list(PermissionVersion.objects.filter(permission_id=pk).order_by("number"))
    assert [(v.number, v.change, v.quota_count, v.reason) for v in versions] == [
        (1, "grant", 10000, ""),
        (2, "change", 20000, "Amendment 2"),
    ]
    assert versions[0].effective_to == versions[1].effective_from


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, field",
    [
        ({"quota_count": 1}, "reason"),
        ({"quota_count": 1, "reason": "  "}, "reason"),
        ({"reason": "nothing"}, "non_field_errors"),
        ({"quota_count": -5, "reason": "x"}, "quota_count"),
        ({"valid_until": "2000-01-01T00:00:00Z", "reason": "x"}, "valid_until"),
        ({"purposes": ["Espionage"], "reason": "x"}, "purposes"),
        ({"status": "revoked", "reason": "x"}, "status"),
        ({"dataset": "HEALTH-REC", "reason": "x"}, "dataset"),
    ],
)
def test_bad_change_is_refused_and_nothing_changes(world, client_for, body, field):
    before = snapshot()
    response = client_for(world.officer).patch(f"{URL}{world.permission.pk}/", body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert snapshot() == before


@pytest.mark.django_db
def test_put_is_not_offered(world, client_for):
    response = client_for(world.officer).put(f"{URL}{world.permission.pk}/", grant_body(world), format="json")
    assert response.status_code == 405


@pytest.mark.django_db
def test_status_changes_and_their_conflicts(world, client_for):
    client = client_for(world.officer)
    base = f"{URL}{world.permission.pk}/"
    assert client.post(f"{base}reinstate/", {"reason": "x"}, format="json").status_code == 409
    response = client.post(f"{base}suspend/", {"reason": "Suspected leak"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["status_reason"], body["status_changed_by"], body["version"]) == (
        "suspended", "Suspected leak", "officer", 2,
    )  # fmt: skip
    assert client.post(f"{base}suspend/", {"reason": "again"}, format="json").status_code == 409
    assert client.post(f"{base}reinstate/", {"reason": "Cleared"}, format="json").json()["status"] == "active"
    assert client.post(f"{base}revoke/", {"reason": "Contract breach"}, format="json").json()["status"] == "revoked"
    before = snapshot()
    for transition in ("suspend", "reinstate", "revoke"):
        response = client.post(f"{base}{transition}/", {"reason": "x"}, format="json")
        assert response.status_code == 409
        assert response.json()["code"] == "illegal_transition"
    changed = client.patch(base, {"quota_count": 1, "reason": "x"}, format="json")
    assert changed.status_code == 409
    assert changed.json()["code"] == "permission_revoked"
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
def test_status_change_needs_a_reason(world, client_for, body):
    before = snapshot()
    response = client_for(world.officer).post(f"{URL}{world.permission.pk}/suspend/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["reason"]
    assert snapshot() == before


@pytest.mark.django_db
def test_versions_tell_the_history(world, client_for):
    client = client_for(world.officer)
    base = f"{URL}{world.permission.pk}/"
    client.patch(base, {"quota_count": 500, "reason": "Scale down"}, format="json")
    client.post(f"{base}suspend/", {"reason": "Audit"}, format="json")
    response = client_for(world.auditor).get(f"{base}versions/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["number"], r["change"], r["status"], r["terms"]["quota_count"], r["changed_by"], r["reason"]) for r in rows] == [
        (1, "grant", "active", 10000, "officer", ""),
        (2, "change", "active", 500, "officer", "Scale down"),
        (3, "suspend", "suspended", 500, "officer", "Audit"),
    ]
    assert rows[0]["effective_to"] == rows[1]["effective_from"]
    assert rows[1]["effective_to"] == rows[2]["effective_from"]
    assert rows[2]["effective_to"] is None
    assert sorted(rows[0]["terms"]) == sorted(
        ["actions", "purposes", "valid_from", "valid_until", "quota_count", "quota_interval", "quota_unit",
         "recipients", "declaration_schedule", "declaration_due_days", "delete_within_days", "anonymize_required"]
    )  # fmt: skip


@pytest.mark.django_db
def test_list_at_an_instant_gives_the_terms_then(world, client_for):
    actor = actor_for(world.officer)
    grant = f.grant(world.officer, world.agreement, world.personal_dataset, quota_count=100, at=T0)
    permission_change(actor=actor, permission=grant, reason="More", quota_count=200, at=T0 + datetime.timedelta(days=1))
    permission_set_status(actor=actor, permission=grant, action="suspend", reason="Leak", at=T0 + datetime.timedelta(days=2))
    client = client_for(world.partner)

    def at(instant, **params):
        response = client.get(URL, {"at": iso(instant), "dataset": "HEALTH-REC", **params})
        assert response.status_code == 200, response.json()
        return [(r["id"], r["version"], r["quota_count"], r["status"]) for r in response.json()["results"]]

    assert at(T0 - datetime.timedelta(seconds=1)) == []
    assert at(T0) == [(grant.pk, 1, 100, "active")]
    assert at(T0 + datetime.timedelta(hours=23)) == [(grant.pk, 1, 100, "active")]
    assert at(T0 + datetime.timedelta(days=1)) == [(grant.pk, 2, 200, "active")]
    assert at(T0 + datetime.timedelta(days=3)) == [(grant.pk, 3, 200, "suspended")]
    assert at(T0 + datetime.timedelta(days=3), status="active") == []
    assert at(T0 + datetime.timedelta(days=1), status="active") == [(grant.pk, 2, 200, "active")]
    row = client.get(URL, {"at": iso(T0 + datetime.timedelta(days=3)), "dataset": "HEALTH-REC"}).json()["results"][0]
    assert (row["status_reason"], row["status_changed_by"], row["agreement_reference"]) == ("Leak", "officer", "ZJ-BOT-001")


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["yesterday", "2026-13-01T00:00:00Z", "2026-01-01T25:00:00"])
def test_bad_instant_is_400(world, client_for, value):
    response = client_for(world.officer).get(URL, {"at": value})
    assert response.status_code == 400
    assert list(response.json()) == ["at"]


@pytest.mark.django_db
def test_instant_accepts_an_unencoded_plus_and_a_bare_date(world, client_for):
    client = client_for(world.officer)
    later = (timezone.now() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
    assert client.get(f"{URL}?at={later} 08:00").json()["count"] == 1
    assert client.get(URL, {"at": "2001-01-01"}).json()["count"] == 0


@pytest.mark.django_db
def test_retrieve_at_an_instant(world, client_for):
    actor = actor_for(world.officer)
    grant = f.grant(world.officer, world.agreement, world.personal_dataset, quota_count=100, at=T0)
    permission_change(actor=actor, permission=grant, reason="More", quota_count=200, at=T0 + datetime.timedelta(days=1))
    client = client_for(world.auditor)
    base = f"{URL}{grant.pk}/"
    assert client.get(base, {"at": iso(T0 - datetime.timedelta(days=1))}).status_code == 404
    then = client.get(base, {"at": iso(T0 + datetime.timedelta(hours=1))}).json()
    assert (then["id"], then["version"], then["quota_count"], then["effective_to"]) == (
        grant.pk, 1, 100, iso(T0 + datetime.timedelta(days=1)),
    )  # fmt: skip
    assert client.get(base).json()["quota_count"] == 200
    assert client.get(base, {"at": "soon"}).status_code == 400


@pytest.mark.django_db
def test_a_change_cannot_take_effect_before_the_version_in_force(world):
    actor = actor_for(world.officer)
    grant = f.grant(world.officer, world.agreement, world.personal_dataset, at=T0)
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        permission_change(actor=actor, permission=grant, reason="Backdated", quota_count=1, at=T0 - datetime.timedelta(days=1))
    assert list(refused.value.message_dict) == ["at"]
    assert snapshot() == before


@pytest.mark.django_db
def test_lists_take_a_fixed_number_of_queries(world, client_for, django_assert_max_num_queries):
    for n in range(6):
        dataset = f.dataset(f"EXTRA-{n}", world.bureau)
        f.grant(world.officer, world.agreement, dataset, recipients=[world.other_partner_org, world.bureau])
    client = client_for(world.officer)
    with django_assert_max_num_queries(8):
        assert client.get(URL).json()["count"] == 7
    with django_assert_max_num_queries(8):
        assert client.get(URL, {"at": iso(timezone.now())}).json()["count"] == 7
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/datasets/").json()["count"] == 8


@pytest.mark.django_db
def test_the_grant_now_and_the_grant_as_of_now_agree(world, client_for):
    actor = actor_for(world.officer)
    grant = f.grant(world.officer, world.agreement, world.personal_dataset, at=T0)
    permission_set_status(actor=actor, permission=grant, action="suspend", reason="Leak", at=T0 + datetime.timedelta(days=1))
    permission_set_status(actor=actor, permission=grant, action="reinstate", reason="Cleared", at=T0 + datetime.timedelta(days=2))
    permission_change(
        actor=actor, permission=grant, reason="Onward", recipients=[world.bureau], at=T0 + datetime.timedelta(days=3)
    )
    client = client_for(world.partner)
    now = client.get(f"{URL}{grant.pk}/").json()
    then = client.get(f"{URL}{grant.pk}/", {"at": iso(timezone.now())}).json()
    listed = client.get(URL, {"at": iso(timezone.now()), "dataset": "HEALTH-REC"}).json()["results"]
    assert listed == [then]
    shared = set(now) & set(then)
    assert shared >= {"status", "status_reason", "status_changed_by", "status_changed_at", "version", "recipients"}
    assert {k: now[k] for k in shared} == {k: then[k] for k in shared}
    assert (then["status_reason"], then["status_changed_at"], then["version"]) == (
        "Cleared", iso(T0 + datetime.timedelta(days=2)), 4,
    )  # fmt: skip
    # Before any status change there is none to report.
    first = client.get(f"{URL}{grant.pk}/", {"at": iso(T0)}).json()
    assert (first["status_reason"], first["status_changed_by"], first["status_changed_at"]) == ("", None, None)
