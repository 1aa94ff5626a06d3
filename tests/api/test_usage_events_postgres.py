"""The COPY path on PostgreSQL: chunks, the fall-back through staging, and concurrent senders."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from contracts.api.usage_events import UsageEventIngest
from contracts.models import UsageEvent
from contracts.services.usage_event_writers import PostgresEventWriter, event_writer
from tests.api.test_usage_events import NDJSON, URL, chunked_request, event, ndjson

pytestmark = pytest.mark.needs_postgres


@pytest.mark.django_db
def test_postgres_uses_the_copy_writer():
    assert isinstance(event_writer(), PostgresEventWriter)


@pytest.mark.django_db
def test_chunks_of_new_events_and_chunks_with_repeats_are_counted_exactly(world, client_for, monkeypatch):
    # Chunks of 4: e-0..e-3 new (straight COPY), e-4..e-6 + e-2 repeated (staging fall-back),
    # then e-7..e-10 new again (back to straight COPY), then a chunk repeating itself.
    monkeypatch.setattr(PostgresEventWriter, "CHUNK_ROWS", 4)
    ids = [0, 1, 2, 3, 4, 5, 6, 2, 7, 8, 9, 10, 11, 11, 12, 11]
    body = ndjson(*(event(n) for n in ids))

    report = client_for(world.partner).post(URL, body, content_type=NDJSON).json()

    assert (report["accepted"], report["duplicates"], report["rejected"]) == (13, 3, [])
    assert sorted(UsageEvent.objects.values_list("event_id", flat=True)) == sorted(f"e-{n}" for n in range(13))


@pytest.mark.django_db
def test_a_refused_body_leaves_no_chunk_behind(world, monkeypatch, settings):
    monkeypatch.setattr(PostgresEventWriter, "CHUNK_ROWS", 2)
    monkeypatch.setattr("contracts.services.usage_event_input.CHUNK_BYTES", 300)
    settings.USAGE_EVENTS_MAX_BODY_BYTES = 2000
    body = ndjson(*(event(n) for n in range(40)))

    response = UsageEventIngest.as_view()(chunked_request(world.partner, body))

    assert response.status_code == 413
    assert not UsageEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_of_overlapping_batches_store_each_event_once(world):
    batches = [ndjson(*(event(n) for n in range(start, start + 300))) for start in (0, 100, 200, 0)]
    barrier = threading.Barrier(len(batches))
    reports = []
    lock = threading.Lock()

    def send(body):
        try:
            client = APIClient()
            client.force_authenticate(world.partner)
            barrier.wait(timeout=30)
            response = client.post(URL, body, content_type=NDJSON)
            with lock:
                reports.append(response.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(body,)) for body in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(reports) == 4
    assert sum(r["accepted"] for r in reports) == 500
    assert sum(r["duplicates"] for r in reports) == 1200 - 500
    assert UsageEvent.objects.count() == 500


@pytest.mark.django_db
def test_values_are_stored_exactly_by_both_copy_paths(world, client_for, monkeypatch):
    # Chunks of 2: the first goes straight into the table, the second (which repeats
    # e-1) through staging; each carries the widest values a row may hold.
    monkeypatch.setattr(PostgresEventWriter, "CHUNK_ROWS", 2)
    widest = {
        "source": "网关-" + "s" * 61,
        "record_count": 2**63 - 1,
        "recipient": world.other_partner_org.credit_code,
    }
    body = ndjson(
        event(1, occurred_at="2026-03-05T10:15:00.123456+08:00", **widest),
        event(2, occurred_at="2026-03-05 11:00:00", record_count=0),
        event(1, occurred_at="2026-03-05T10:15:00.123456+08:00", **widest),
        event(3, event_id="x" * 128, occurred_at="2026-03-05T23:59:59-05:30", **widest),
    )

    report = client_for(world.partner).post(URL, body, content_type=NDJSON).json()

    assert (report["accepted"], report["duplicates"], report["rejected"]) == (3, 1, [])
    stored = {e.event_id: e for e in UsageEvent.objects.all()}
    first, second, third = stored["e-1"], stored["e-2"], stored["x" * 128]
    assert (first.source, first.record_count) == (widest["source"], 2**63 - 1)
    assert first.recipient_id == world.other_partner_org.pk
    assert first.occurred_at.isoformat() == "2026-03-05T02:15:00.123456+00:00"
    assert (second.record_count, second.recipient_id) == (0, None)
    assert second.occurred_at.isoformat() == "2026-03-05T03:00:00+00:00"  # naive: project time zone
    assert (third.agreement_id, third.dataset_id) == (world.agreement.pk, world.dataset.pk)
    assert third.occurred_at.isoformat() == "2026-03-06T05:29:59+00:00"
    assert {e.received_at is not None for e in stored.values()} == {True}
