import datetime
import json

import pytest
from django.utils import timezone

from contracts.models import UsageDeclaration

URL = "/api/v1/declarations/"


def last_month():
    end = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    return end.replace(day=1), end


def body(**overrides):
    start, end = last_month()
    data = {
        "agreement": "ZJ-BOT-001",
        "dataset": "POP-STATS",
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "purpose": "ImprovePublicServices",
        "actions": ["read", "aggregate"],
        "record_count": 1200,
        "recipients": [],
        "note": "月度申报 monthly declaration",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not ...}


@pytest.fixture
def published(monkeypatch):
    """Task names and arguments sent to the broker."""
    sent = []
    monkeypatch.setattr("partnerships.publish.app.send_task", lambda name, args=(), **kw: sent.append((name, args)))
    return sent


@pytest.mark.django_db
def test_partner_declares_for_its_agreement_and_the_check_is_published_after_commit(
    world, client_for, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.partner).post(URL, body(recipients=[world.other_partner_org.credit_code]), format="json")

    assert response.status_code == 201, response.json()
    declaration = UsageDeclaration.objects.get()
    assert response.json()["id"] == declaration.pk
    assert response.json()["status"] == "pending"
    assert response.json()["dataset"] == "POP-STATS"
    assert response.json()["agreement"] == world.agreement.pk
    assert response.json()["recipients"] == [world.other_partner_org.pk]
    assert declaration.submitted_by == world.partner
    assert declaration.record_count == 1200
    assert declaration.actions == ["read", "aggregate"]
    assert published == [("notifications.check_declaration", (declaration.pk,))]


@pytest.mark.django_db
def test_the_answer_to_a_submission_is_the_declaration_as_read_back(world, client_for):
    # The POST answers from what it stored, without reading it back: it must say the same.
    recipients = [world.other_partner_org.credit_code, world.far_bureau.pk]
    client = client_for(world.partner)
    answer = client.post(URL, body(recipients=recipients), format="json").json()
    read_back = client.get(f"{URL}{answer['id']}/").json()
    assert sorted(read_back.pop("recipients")) == answer.pop("recipients") == sorted(
        [world.other_partner_org.pk, world.far_bureau.pk]
    )
    assert read_back == answer


@pytest.mark.django_db
def test_agreement_and_dataset_may_be_named_by_id(world, client_for):
    response = client_for(world.partner).post(
        URL, body(agreement=world.agreement.pk, dataset=world.dataset.pk), format="json"
    )
    assert response.status_code == 201, response.json()
    assert UsageDeclaration.objects.get().dataset == world.dataset


@pytest.mark.django_db
def test_another_partners_agreement_is_refused_and_nothing_stored(world, client_for, published):
    response = client_for(world.other_partner).post(URL, body(), format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["agreement"]
    assert not UsageDeclaration.objects.exists()
    assert published == []


@pytest.mark.django_db
def test_an_officer_cannot_declare_for_the_partner(world, client_for):
    response = client_for(world.officer).post(URL, body(), format="json")

    assert response.status_code == 403
    assert not UsageDeclaration.objects.exists()


@pytest.mark.django_db
def test_unknown_dataset_code_is_a_400(world, client_for):
    response = client_for(world.partner).post(URL, body(dataset="NO-SUCH-DATA"), format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["dataset"]
    assert not UsageDeclaration.objects.exists()


@pytest.mark.django_db
def test_anonymous_cannot_declare(world, client_for):
    assert client_for(None).post(URL, body(), format="json").status_code in (401, 403)
    assert not UsageDeclaration.objects.exists()


MALFORMED = [
    ("negative count", {"record_count": -1}, "record_count"),
    ("fractional count", {"record_count": 12.5}, "record_count"),
    ("float count", {"record_count": 12.0}, "record_count"),
    ("text count", {"record_count": "twelve"}, "record_count"),
    ("boolean count", {"record_count": True}, "record_count"),
    ("count beyond 64 bits", {"record_count": 2**63}, "record_count"),
    ("huge count", {"record_count": 10**40}, "record_count"),
    ("missing count", {"record_count": ...}, "record_count"),
    ("reversed period", {"period_start": "2026-03-31", "period_end": "2026-03-01"}, "period_end"),
    ("impossible date", {"period_end": "2026-02-30"}, "period_end"),
    ("not a date", {"period_start": "last month"}, "period_start"),
    ("date before 1900", {"period_start": "1899-12-31"}, "period_start"),
    ("far future", {"period_end": "9999-12-31"}, "period_end"),
    ("NUL in note", {"note": "ok\x00bad"}, "note"),
    ("NUL in purpose", {"purpose": "Marketing\x00"}, "purpose"),
    ("NUL in agreement", {"agreement": "ZJ-BOT-001\x00"}, "agreement"),
    ("unknown purpose", {"purpose": "Fun"}, "purpose"),
    ("unknown action", {"actions": ["read", "exfiltrate"]}, "actions"),
    ("no action", {"actions": []}, "actions"),
    ("actions not a list", {"actions": "read"}, "actions"),
    ("unknown field", {"approved": True}, "approved"),
    ("unknown recipient", {"recipients": ["NOT-A-CODE"]}, "recipients"),
    ("supersedes nothing", {"supersedes": 999999}, "supersedes"),
    ("note too long", {"note": "x" * 4001}, "note"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("label,change,field", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_input_is_a_400_naming_the_field(world, client_for, label, change, field):
    response = client_for(world.partner).post(URL, body(**change), format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not UsageDeclaration.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw,content_type",
    [
        (b'{"agreement": "ZJ-BOT-001",', "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b'"just a string"', "application/json"),
        (b"\xff\xfe not utf-8", "application/json"),
        (b"", "application/json"),
    ],
)
def test_malformed_json_is_a_400(world, client_for, raw, content_type):
    response = client_for(world.partner).post(URL, raw, content_type=content_type)

    assert response.status_code == 400
    assert not UsageDeclaration.objects.exists()


@pytest.mark.django_db
def test_out_of_scope_declarations_are_stored_as_evidence(world, client_for):
    """Not granted: HEALTH-REC, the action 'sell', the purpose Marketing. Still stored, pending."""
    response = client_for(world.partner).post(
        URL, body(dataset="HEALTH-REC", actions=["sell"], purpose="Marketing", record_count=0), format="json"
    )

    assert response.status_code == 201, response.json()
    stored = UsageDeclaration.objects.get()
    assert (stored.dataset.code, stored.actions, stored.purpose, stored.status) == (
        "HEALTH-REC",
        ["sell"],
        "Marketing",
        "pending",
    )


@pytest.mark.django_db
def test_a_correction_supersedes_and_the_old_declaration_stays_readable(world, client_for):
    client = client_for(world.partner)
    first = client.post(URL, body(record_count=100), format="json").json()

    correction = client.post(URL, body(record_count=150, supersedes=first["id"]), format="json")

    assert correction.status_code == 201, correction.json()
    assert correction.json()["supersedes"] == first["id"]
    old = client.get(f"{URL}{first['id']}/")
    assert old.status_code == 200
    assert old.json()["record_count"] == 100
    assert old.json()["superseded_by"] == correction.json()["id"]
    assert UsageDeclaration.objects.count() == 2
    assert UsageDeclaration.objects.get(pk=first["id"]).record_count == 100
    current = client.get(URL, {"superseded": "false"}).json()["results"]
    assert [d["id"] for d in current] == [correction.json()["id"]]


@pytest.mark.django_db
def test_a_declaration_is_corrected_once_then_its_correction_is(world, client_for):
    client = client_for(world.partner)
    first = client.post(URL, body(), format="json").json()
    client.post(URL, body(supersedes=first["id"]), format="json")

    again = client.post(URL, body(record_count=7, supersedes=first["id"]), format="json")

    assert again.status_code == 409
    assert UsageDeclaration.objects.count() == 2


@pytest.mark.django_db
def test_a_correction_cannot_move_to_another_agreement_or_touch_anothers_declaration(world, client_for):
    mine = client_for(world.partner).post(URL, body(), format="json").json()
    theirs = client_for(world.other_partner).post(URL, body(agreement="ZJ-SVC-002"), format="json").json()

    foreign = client_for(world.partner).post(URL, body(supersedes=theirs["id"]), format="json")
    moved = client_for(world.other_partner).post(URL, body(agreement="ZJ-SVC-002", supersedes=mine["id"]), format="json")

    assert foreign.status_code == 400 and "supersedes" in foreign.json()
    assert moved.status_code == 400 and "supersedes" in moved.json()
    assert UsageDeclaration.objects.filter(supersedes__isnull=False).count() == 0


@pytest.mark.django_db
def test_lists_are_scoped_like_agreements(world, client_for):
    mine = client_for(world.partner).post(URL, body(), format="json").json()["id"]
    theirs = client_for(world.other_partner).post(URL, body(agreement="ZJ-SVC-002"), format="json").json()["id"]

    def ids(user, **params):
        response = client_for(user).get(URL, params)
        assert response.status_code == 200
        return sorted(d["id"] for d in response.json()["results"])

    assert ids(world.partner) == [mine]
    assert ids(world.other_partner) == [theirs]
    assert ids(world.officer) == sorted([mine, theirs])
    assert ids(world.supervisor) == sorted([mine, theirs])
    assert ids(world.auditor) == sorted([mine, theirs])
    assert ids(world.far_officer) == []
    assert ids(world.officer, agreement="ZJ-SVC-002") == [theirs]
    assert ids(world.officer, agreement=str(world.agreement.pk)) == [mine]
    assert ids(world.officer, dataset="POP-STATS", status="pending") == sorted([mine, theirs])
    assert client_for(world.partner).get(f"{URL}{theirs}/").status_code == 404
    assert client_for(world.far_officer).get(f"{URL}{mine}/").status_code == 404


@pytest.mark.django_db
def test_declarations_cannot_be_edited_or_deleted(world, client_for):
    client = client_for(world.partner)
    first = client.post(URL, body(), format="json").json()

    assert client.patch(f"{URL}{first['id']}/", {"record_count": 1}, format="json").status_code == 405
    assert client.delete(f"{URL}{first['id']}/").status_code == 405
    assert UsageDeclaration.objects.get().record_count == 1200


@pytest.mark.django_db
def test_duties_endpoint_lists_due_and_missing_per_agreement(world, client_for):
    client = client_for(world.partner)
    client.post(URL, body(), format="json")

    response = client.get(f"{URL}duties/", {"agreement": "ZJ-BOT-001"})

    assert response.status_code == 200
    data = response.json()
    assert data["agreement"] == world.agreement.pk
    start, end = last_month()
    last = [d for d in data["results"] if d["period_start"] == start.isoformat()]
    assert len(last) == 1
    assert last[0]["status"] in ("received", "late") and len(last[0]["declaration_ids"]) == 1
    assert {d["dataset_code"] for d in data["results"]} == {"POP-STATS"}
    # The grant started a year ago: twelve ended months before this one, most never declared.
    missing = client.get(f"{URL}duties/", {"agreement": str(world.agreement.pk), "status": "missing"}).json()
    assert missing["results"] and {d["status"] for d in missing["results"]} == {"missing"}


@pytest.mark.django_db
def test_duties_of_a_foreign_agreement_are_a_404_and_bad_queries_a_400(world, client_for):
    assert client_for(world.other_partner).get(f"{URL}duties/", {"agreement": "ZJ-BOT-001"}).status_code == 404
    assert client_for(world.partner).get(f"{URL}duties/").status_code == 400
    assert client_for(world.partner).get(f"{URL}duties/", {"agreement": "ZJ-BOT-001", "status": "x"}).status_code == 400
    assert client_for(world.officer).get(f"{URL}duties/", {"agreement": "ZJ-BOT-001"}).status_code == 200


@pytest.mark.django_db
def test_schema_documents_declarations(world, client_for):
    schema = client_for(world.admin).get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = json.loads(schema.content)["paths"]
    assert {"/api/v1/declarations/", "/api/v1/declarations/duties/", "/api/v1/declarations/upload/"} <= set(paths)
