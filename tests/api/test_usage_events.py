import io
import json

import pytest
from django.core.handlers.wsgi import WSGIRequest
from django.core.management import call_command
from rest_framework.test import APIRequestFactory, force_authenticate

from contracts.api.usage_events import UsageEventIngest
from contracts.models import UsageEvent

URL = "/api/v1/usage-events/"
NDJSON = "application/x-ndjson"


def event(n, **overrides):
    data = {
        "source": "gateway-a",
        "event_id": f"e-{n}",
        "occurred_at": "2026-03-05T10:15:00+08:00",
        "agreement": "ZJ-BOT-001",
        "dataset": "POP-STATS",
        "action": "read",
        "purpose": "ImprovePublicServices",
        "record_count": 10,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not ...}


def ndjson(*items) -> bytes:
    return b"".join((item if isinstance(item, bytes) else json.dumps(item).encode()) + b"\n" for item in items)


def send(client, raw: bytes, content_type=NDJSON):
    return client.post(URL, raw, content_type=content_type)


@pytest.mark.django_db
def test_a_mixed_body_lands_its_good_lines_and_reports_the_rest_by_line(world, client_for):
    client = client_for(world.partner)
    client.post(URL, ndjson(event(0)), content_type=NDJSON)  # stored before: a duplicate below
    body = ndjson(
        event(1),  # 1 ok
        event(0),  # 2 duplicate of an event already stored
        b"{not json",  # 3
        event(2, action="exfiltrate"),  # 4
        event(3, agreement="ZJ-SVC-002"),  # 5 another partner's agreement
        b"",  # 6 blank: skipped
        event(4, dataset=world.personal_dataset.pk, record_count=0),  # 7 ok: out of scope is evidence
        event(1),  # 8 duplicate inside this body
        event(5, record_count=-1, occurred_at="yesterday"),  # 9
        event(6, event_id="bad\u0000id"),  # 10
        event(7, colour="blue"),  # 11
        event(8, recipient=world.other_partner_org.credit_code),  # 12 ok
        [1, 2],  # 13
        event(9, occurred_at="1899-12-31T23:00:00+00:00"),  # 14
        event(10, agreement=..., purpose="Fun"),  # 15
    )
    response = send(client, body)

    assert response.status_code == 200, response.content
    report = response.json()
    assert (report["accepted"], report["duplicates"], report["rejected_count"]) == (3, 2, 9)
    assert [(r["line"], sorted(r["errors"])) for r in report["rejected"]] == [
        (3, ["non_field_errors"]),
        (4, ["action"]),
        (5, ["agreement"]),
        (9, ["occurred_at", "record_count"]),
        (10, ["event_id"]),
        (11, ["colour"]),
        (13, ["non_field_errors"]),
        (14, ["occurred_at"]),
        (15, ["agreement", "purpose"]),
    ]
    stored = {e.event_id: e for e in UsageEvent.objects.all()}
    assert sorted(stored) == ["e-0", "e-1", "e-4", "e-8"]
    assert stored["e-4"].dataset_id == world.personal_dataset.pk and stored["e-4"].record_count == 0
    assert stored["e-8"].recipient_id == world.other_partner_org.pk
    assert stored["e-1"].agreement_id == world.agreement.pk
    assert stored["e-1"].occurred_at.isoformat() == "2026-03-05T02:15:00+00:00"


@pytest.mark.django_db
def test_codes_sent_as_lists_or_objects_are_refused_per_line(world, client_for):
    body = ndjson(event(1, action=["read"]), event(2, purpose={"code": "Fun"}), event(3))

    response = send(client_for(world.partner), body)

    assert response.status_code == 200, response.content
    report = response.json()
    assert report["accepted"] == 1
    assert [(r["line"], sorted(r["errors"])) for r in report["rejected"]] == [(1, ["action"]), (2, ["purpose"])]


@pytest.mark.django_db
def test_text_that_is_not_unicode_is_refused_per_line(world, client_for):
    # JSON may escape half of a surrogate pair, which no database text can hold.
    body = ndjson(event(1, source="gw-\ud800"), event(2, event_id="e-\udfff"), event(3, source="网关"))

    response = send(client_for(world.partner), body)

    assert response.status_code == 200, response.content
    report = response.json()
    assert report["accepted"] == 1
    assert [(r["line"], sorted(r["errors"])) for r in report["rejected"]] == [(1, ["source"]), (2, ["event_id"])]
    assert UsageEvent.objects.get().source == "网关"


@pytest.mark.django_db
def test_a_resent_batch_adds_nothing(world, client_for):
    client = client_for(world.partner)
    body = ndjson(*(event(n) for n in range(25)))
    first = send(client, body).json()

    again = send(client, body).json()

    assert (first["accepted"], first["duplicates"]) == (25, 0)
    assert (again["accepted"], again["duplicates"], again["rejected"]) == (0, 25, [])
    assert UsageEvent.objects.count() == 25


@pytest.mark.django_db
def test_the_same_event_id_from_another_source_is_another_event(world, client_for):
    report = send(client_for(world.partner), ndjson(event(1), event(1, source="gateway-b"))).json()

    assert (report["accepted"], report["duplicates"]) == (2, 0)
    assert sorted(UsageEvent.objects.values_list("source", flat=True)) == ["gateway-a", "gateway-b"]


@pytest.mark.django_db
def test_rows_naming_an_agreement_of_another_partner_are_rejected_per_line(world, client_for):
    body = ndjson(event(1, agreement="ZJ-SVC-002"), event(2, agreement=world.other_agreement.pk), event(3))

    report = send(client_for(world.partner), body).json()

    assert report["accepted"] == 1
    assert [(r["line"], list(r["errors"])) for r in report["rejected"]] == [(1, ["agreement"]), (2, ["agreement"])]
    assert list(UsageEvent.objects.values_list("event_id", flat=True)) == ["e-3"]


@pytest.mark.django_db
def test_the_government_platform_may_send_events_for_its_agreements(world, client_for):
    report = send(client_for(world.officer), ndjson(event(1), event(2, agreement="ZJ-SVC-002"))).json()
    far = send(client_for(world.far_officer), ndjson(event(3))).json()

    assert report["accepted"] == 2
    assert (far["accepted"], far["rejected"][0]["line"]) == (0, 1)
    assert UsageEvent.objects.count() == 2


@pytest.mark.django_db
def test_supervisors_send_nothing_and_anonymous_is_refused(world, client_for):
    assert send(client_for(world.supervisor), ndjson(event(1))).json()["accepted"] == 0
    assert send(client_for(None), ndjson(event(2))).status_code in (401, 403)
    assert not UsageEvent.objects.exists()


@pytest.mark.django_db
def test_a_csv_body_is_read_like_ndjson(world, client_for):
    body = (
        "source,event_id,occurred_at,agreement,dataset,action,purpose,record_count,recipient\r\n"
        "gateway-a,c-1,2026-03-05T10:15:00+08:00,ZJ-BOT-001,POP-STATS,read,5,\r\n"
        f"gateway-a,c-2,2026-03-05 11:00:00,{world.agreement.pk},{world.dataset.pk},aggregate,ImprovePublicServices,,\r\n"
        "gateway-a,c-2,2026-03-05T10:15:00+08:00,ZJ-BOT-001,POP-STATS,read,ImprovePublicServices,5,\r\n"
        "gateway-a,c-3,2026-03-05T10:15:00+08:00,ZJ-BOT-001,POP-STATS,read,ImprovePublicServices,-4,\r\n"
        "gateway-a,c-4,2026-03-05T10:15:00+08:00,ZJ-BOT-001,POP-STATS,read,ImprovePublicServices,4,,extra\r\n"
        "gateway-a,c-5,2026-03-05T10:15:00+08:00,ZJ-BOT-001,POP-STATS,read,ImprovePublicServices,2,\r\n"
    ).encode()

    report = send(client_for(world.partner), body, content_type="text/csv").json()

    assert (report["accepted"], report["duplicates"]) == (2, 1)
    assert [(r["line"], sorted(r["errors"])) for r in report["rejected"]] == [
        (2, ["non_field_errors"]),
        (5, ["record_count"]),
        (6, ["non_field_errors"]),
    ]
    stored = {e.event_id: e for e in UsageEvent.objects.all()}
    assert sorted(stored) == ["c-2", "c-5"]
    assert stored["c-2"].record_count == 1  # an empty count is one event
    assert stored["c-2"].occurred_at.isoformat() == "2026-03-05T03:00:00+00:00"  # naive: project time zone


@pytest.mark.django_db
def test_a_csv_header_that_is_not_events_stores_nothing(world, client_for):
    body = b"source,event_id,colour\ngateway-a,e-1,red\n"

    response = send(client_for(world.partner), body, content_type="text/csv")

    assert response.status_code == 400
    assert "body" in response.json()
    assert not UsageEvent.objects.exists()


@pytest.mark.django_db
def test_other_content_types_are_a_415(world, client_for):
    response = client_for(world.partner).post(URL, [event(1)], format="json")

    assert response.status_code == 415
    assert not UsageEvent.objects.exists()


@pytest.mark.django_db
def test_a_body_over_the_limit_is_a_413_and_nothing_is_stored(world, client_for, settings):
    settings.USAGE_EVENTS_MAX_BODY_BYTES = 1000
    body = ndjson(*(event(n) for n in range(20)))
    assert len(body) > 1000

    response = send(client_for(world.partner), body)

    assert response.status_code == 413
    assert not UsageEvent.objects.exists()


def chunked_request(user, body: bytes, content_type=NDJSON) -> WSGIRequest:
    """A request as a WSGI server passes a chunked body: no Content-Length, input terminated."""
    environ = APIRequestFactory()._base_environ(
        PATH_INFO=URL, REQUEST_METHOD="POST", CONTENT_TYPE=content_type, **{"wsgi.input": io.BytesIO(body)}
    )
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input_terminated"] = True
    request = WSGIRequest(environ)
    force_authenticate(request, user=user)
    return request


@pytest.mark.django_db
def test_a_chunked_body_growing_over_the_limit_is_a_413_and_nothing_is_stored(world, settings, monkeypatch):
    # Small reads, so the limit is crossed after some lines were already staged.
    monkeypatch.setattr("contracts.services.usage_event_input.CHUNK_BYTES", 256)
    settings.USAGE_EVENTS_MAX_BODY_BYTES = 1500
    body = ndjson(*(event(n) for n in range(20)))

    response = UsageEventIngest.as_view()(chunked_request(world.partner, body))

    assert response.status_code == 413
    assert not UsageEvent.objects.exists()


@pytest.mark.django_db
def test_a_chunked_body_under_the_limit_is_read_whole(world):
    body = ndjson(*(event(n) for n in range(20)))

    response = UsageEventIngest.as_view()(chunked_request(world.partner, body))

    assert response.status_code == 200
    assert response.data["accepted"] == 20
    assert UsageEvent.objects.count() == 20


@pytest.mark.django_db
def test_the_body_is_streamed_not_loaded(world, client_for, settings, monkeypatch):
    """Django's in-memory limit guards request.body; a streamed body never meets it."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    monkeypatch.setattr("contracts.services.usage_event_input.CHUNK_BYTES", 64)
    body = ndjson(*(event(n) for n in range(50)))

    response = send(client_for(world.partner), body)

    assert response.status_code == 200
    assert response.json()["accepted"] == 50


@pytest.mark.django_db
def test_lines_that_are_too_long_are_rejected_alone(world, client_for):
    body = ndjson(event(1), event(2, note=...) | {"event_id": "x" * 70_000}, event(3))

    report = send(client_for(world.partner), body).json()

    assert report["accepted"] == 2
    assert [r["line"] for r in report["rejected"]] == [2]


@pytest.mark.django_db
def test_only_the_first_thousand_rejections_are_detailed(world, client_for):
    body = b"nope\n" * 1005 + ndjson(event(1))

    report = send(client_for(world.partner), body).json()

    assert (report["accepted"], report["rejected_count"], len(report["rejected"])) == (1, 1005, 1000)


@pytest.mark.django_db
def test_the_management_command_ingests_a_file(world, tmp_path):
    path = tmp_path / "events.ndjson"
    path.write_bytes(ndjson(event(1), event(2), event(1), b"{bad"))
    out = io.StringIO()

    call_command("ingest_usage", str(path), "--as", "partner", "--no-progress", stdout=out)

    report = json.loads(out.getvalue())
    assert (report["accepted"], report["duplicates"], [r["line"] for r in report["rejected"]]) == (2, 1, [4])
    assert UsageEvent.objects.count() == 2


@pytest.mark.django_db
def test_the_management_command_reads_csv_and_refuses_unknown_users(world, tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(
        "source,event_id,occurred_at,agreement,dataset,action,purpose\n"
        "gw,1,2026-03-01T00:00:00Z,ZJ-BOT-001,POP-STATS,read,ServiceProvision\n"
    )
    out = io.StringIO()

    call_command("ingest_usage", str(path), "--as", "partner", "--no-progress", stdout=out)

    assert json.loads(out.getvalue())["accepted"] == 1
    with pytest.raises(Exception, match="No active user"):
        call_command("ingest_usage", str(path), "--as", "nobody", "--no-progress", stdout=out)
