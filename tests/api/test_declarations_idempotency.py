import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from contracts.models import DeclarationIdempotencyKey, UsageDeclaration
from tests.api.test_declarations import URL, body


def post(client, data, key):
    return client.post(URL, data, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_same_key_and_body_replays_the_first_answer_and_stores_one_row(world, client_for):
    client = client_for(world.partner)

    first = post(client, body(), "decl-2026-03")
    again = post(client, body(), "decl-2026-03")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert UsageDeclaration.objects.count() == 1
    assert DeclarationIdempotencyKey.objects.get().declaration_id == first.json()["id"]


@pytest.mark.django_db
def test_same_key_with_another_body_is_a_422_and_stores_nothing_more(world, client_for):
    client = client_for(world.partner)
    post(client, body(), "decl-2026-03")

    response = post(client, body(record_count=9999), "decl-2026-03")

    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["detail"]
    assert UsageDeclaration.objects.count() == 1
    assert UsageDeclaration.objects.get().record_count == 1200


@pytest.mark.django_db
def test_keys_are_scoped_per_partner(world, client_for):
    mine = post(client_for(world.partner), body(), "shared-key")
    theirs = post(client_for(world.other_partner), body(agreement="ZJ-SVC-002"), "shared-key")

    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert UsageDeclaration.objects.count() == 2
    assert sorted(DeclarationIdempotencyKey.objects.values_list("partner_id", flat=True)) == sorted(
        [world.partner_org.pk, world.other_partner_org.pk]
    )


@pytest.mark.django_db
def test_a_refused_request_does_not_burn_its_key(world, client_for):
    client = client_for(world.partner)
    refused = post(client, body(record_count=-5), "retry-me")

    accepted = post(client, body(), "retry-me")

    assert refused.status_code == 400
    assert accepted.status_code == 201
    assert UsageDeclaration.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "naïve-key", "tab\tkey"])
def test_a_malformed_key_is_a_400(world, client_for, key):
    response = post(client_for(world.partner), body(), key)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not UsageDeclaration.objects.exists()


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_identical_requests_store_one_declaration(world):
    data = body()
    barrier = threading.Barrier(20)
    answers = []
    lock = threading.Lock()

    def send():
        try:
            client = APIClient()
            client.force_authenticate(world.partner)
            barrier.wait(timeout=30)
            response = post(client, data, "concurrent-key")
            with lock:
                answers.append((response.status_code, response.json().get("id")))
        finally:
            connection.close()  # each thread has its own database connection

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(answers) == 20
    assert {status for status, _ in answers} == {201}
    stored = UsageDeclaration.objects.get()
    assert {declaration_id for _, declaration_id in answers} == {stored.pk}
    assert DeclarationIdempotencyKey.objects.count() == 1
