"""End to end through the API: a partner POSTs an out-of-scope declaration; the check the worker
runs after commit opens one alert per kind; a repeat opens none; other partners see nothing."""

import pytest

from notifications.models import Alert
from notifications.tasks import check_declaration
from tests import factories as f
from tests.notifications.builders import last_month
from tests.notifications.fast import fast_passwords  # noqa: F401

pytestmark = pytest.mark.django_db

SCOPE_KINDS = ["action_not_permitted", "purpose_not_permitted", "quota_exceeded", "recipient_not_approved"]


def post_declaration(client, world, stranger, callbacks):
    start, end = last_month()
    body = {
        "agreement": world.agreement.reference, "dataset": world.dataset.code,
        "period_start": start.isoformat(), "period_end": end.isoformat(), "purpose": "Marketing",
        "actions": ["read", "sell"], "record_count": 50_000, "recipients": [stranger.pk],
    }  # fmt: skip
    with callbacks() as published:
        response = client.post("/api/v1/declarations/", body, format="json")
    assert response.status_code == 201, response.content
    assert len(published) == 1  # the check is published after commit
    return response.json()["id"]


def test_out_of_scope_declaration_raises_one_alert_per_kind(world, client_for, django_capture_on_commit_callbacks):
    stranger = f.organization("Data broker", "enterprise", "330100")
    partner = client_for(world.partner)
    first = post_declaration(partner, world, stranger, django_capture_on_commit_callbacks)
    assert check_declaration(first) is True  # what the worker runs for the published task

    supervisor = client_for(world.supervisor).get("/api/v1/alerts/").json()
    assert sorted(a["kind"] for a in supervisor["results"] if a["kind"] in SCOPE_KINDS) == SCOPE_KINDS
    mine = partner.get("/api/v1/alerts/").json()
    assert sorted(a["kind"] for a in mine["results"] if a["kind"] in SCOPE_KINDS) == SCOPE_KINDS
    assert client_for(world.other_partner).get("/api/v1/alerts/").json()["count"] == 0
    some = Alert.objects.get(kind="recipient_not_approved")
    assert client_for(world.other_partner).get(f"/api/v1/alerts/{some.pk}/").status_code == 404

    second = post_declaration(partner, world, stranger, django_capture_on_commit_callbacks)
    assert check_declaration(second) is True
    assert Alert.objects.filter(kind__in=SCOPE_KINDS).count() == 4
    assert set(Alert.objects.filter(kind__in=SCOPE_KINDS).values_list("occurrences", flat=True)) == {2}
    declaration = partner.get(f"/api/v1/declarations/{second}/").json()
    assert declaration["status"] == "checked"
