import csv
import datetime
import io
import re

import pytest
from django.utils import timezone

from contracts.services.permissions import permission_set_status
from notifications.services.alerts import alert_raise
from partnerships.actors import actor_for

URL = "/api/v1/agreements/{}/accountability/"
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def iso(value: datetime.datetime) -> str:
    return value.isoformat()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["officer", "partner", "supervisor", "auditor", "admin"])
def test_those_who_see_the_agreement_get_the_report(world, client_for, who):
    response = client_for(getattr(world, who)).get(URL.format(world.agreement.pk))
    assert response.status_code == 200
    body = response.json()
    assert body["agreement"]["reference"] == "ZJ-BOT-001"
    assert body["status"]["status"] == "active"
    assert [(g["dataset"], g["version"]) for g in body["grants"]] == [("POP-STATS", 1)]
    assert body["alerts"] == []


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other_partner", "far_officer"])
def test_a_foreign_agreement_is_not_found_in_every_format(world, client_for, who):
    client = client_for(getattr(world, who))
    for suffix in ("", "?format=csv", "?format=html", "?at=not-a-date"):
        response = client.get(URL.format(world.agreement.pk) + suffix)
        assert response.status_code == 404, suffix
        assert "ZJ-BOT-001" not in response.content.decode()


@pytest.mark.django_db
def test_anonymous_is_refused(world, client_for):
    assert client_for(None).get(URL.format(world.agreement.pk)).status_code in (401, 403)


@pytest.mark.django_db
def test_a_past_instant_is_answered_as_it_was(world, client_for):
    # The grant was made a moment ago; its revocation is recorded to take effect in an hour.
    revoked_at = timezone.now() + datetime.timedelta(hours=1)
    permission_set_status(
        actor=actor_for(world.officer), permission=world.permission, action="revoke", reason="Leak", at=revoked_at
    )
    client = client_for(world.auditor)
    url = URL.format(world.agreement.pk)
    before = client.get(url, {"at": iso(revoked_at - datetime.timedelta(minutes=30))}).json()
    after = client.get(url, {"at": iso(revoked_at + datetime.timedelta(minutes=30))}).json()
    assert [(g["dataset"], g["version"], g["status"]) for g in before["grants"]] == [("POP-STATS", 1, "active")]
    assert before["grants_not_in_force"] == []
    assert after["grants"] == []
    assert [(g["version"], g["status"], g["reason"]) for g in after["grants_not_in_force"]] == [(2, "revoked", "Leak")]
    # Before the grant existed there was no grant at all.
    earlier = client.get(url, {"at": iso(timezone.now() - 10 * DAY)}).json()
    assert earlier["grants"] == [] and earlier["grants_not_in_force"] == []


@pytest.mark.django_db
def test_instants_with_offsets_dates_and_no_zone(world, client_for):
    client = client_for(world.officer)
    url = URL.format(world.agreement.pk)
    assert client.get(url, {"at": "2026-06-15T12:00:00+08:00"}).json()["at"] == "2026-06-15T04:00:00Z"
    assert client.get(url, {"at": "2026-06-15T12:00:00Z"}).json()["at"] == "2026-06-15T12:00:00Z"
    assert client.get(url, {"at": "2026-06-15T12:00:00"}).json()["at"] == "2026-06-15T04:00:00Z"  # Asia/Shanghai
    assert client.get(url, {"at": "2026-06-15"}).json()["at"] == "2026-06-14T16:00:00Z"
    # "+" left unencoded in a query string arrives as a space
    assert client.get(url + "?at=2026-06-15T12:00:00+08:00").json()["at"] == "2026-06-15T04:00:00Z"


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{"at": "yesterday"}, {"at": "2026-13-01"}, {"at": "2026-06-15T25:00"}])
def test_a_bad_instant_is_a_field_error(world, client_for, query):
    response = client_for(world.officer).get(URL.format(world.agreement.pk), query)
    assert response.status_code == 400
    assert list(response.json()) == ["at"]


@pytest.mark.django_db
def test_an_unknown_format_is_a_field_error(world, client_for):
    response = client_for(world.officer).get(URL.format(world.agreement.pk), {"format": "pdf"})
    assert response.status_code == 400 and list(response.json()) == ["format"]


def rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


@pytest.mark.django_db
def test_csv_download(world, client_for):
    permission_set_status(
        actor=actor_for(world.officer), permission=world.permission, action="suspend", reason="=HYPERLINK(\"x\")"
    )
    client = client_for(world.auditor)
    at = iso(timezone.now() + DAY)
    response = client.get(URL.format(world.agreement.pk), {"format": "csv", "at": at})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        rf'attachment; filename="accountability-{world.agreement.pk}-\d{{8}}T\d{{6}}.csv"', response["Content-Disposition"]
    )
    table = rows(response)
    assert table[0] == ["section", "item", "field", "value"]
    assert ["agreement", "", "reference", "ZJ-BOT-001"] in table
    assert ["status", "", "status", "active"] in table
    assert ["grants_not_in_force", "POP-STATS", "status", "suspended"] in table
    assert ["grants_not_in_force", "POP-STATS", "actions", "aggregate, read"] in table
    # A value a spreadsheet would run as a formula is quoted.
    assert ["grants_not_in_force", "POP-STATS", "reason", "'=HYPERLINK(\"x\")"] in table
    assert ["responsibilities", "data_security", "accountable", ""] in table
    # Accept: text/csv asks for the same thing.
    by_header = client.get(URL.format(world.agreement.pk), {"at": at}, HTTP_ACCEPT="text/csv")
    assert rows(by_header) == table


@pytest.mark.django_db
def test_printable_report(world, client_for):
    response = client_for(world.partner).get(URL.format(world.agreement.pk), {"format": "html"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert "ZJ-BOT-001" in html and "POP-STATS" in html and "@media print" in html
    assert "云海科技有限公司 Yunhai Technology" in html
    # From the page: another instant (in the project's time zone) and the CSV of this one.
    assert '<input type="datetime-local" name="at"' in html
    at = re.search(r'href="\?format=csv&amp;at=([^"]+)"', html).group(1)
    assert at.startswith("20") and at.endswith("Z")
    # Self-contained: nothing fetched from elsewhere.
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "<link" not in html and "<script" not in html
    # The inline style passes the content security policy by its nonce, and nothing else inline does.
    nonce = re.search(r'<style nonce="([^"]+)">', html).group(1)
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["style-src"] == f"'self' 'nonce-{nonce}'" and policy["script-src"] == "'self'"


@pytest.mark.django_db
def test_errors_stay_json_when_csv_was_asked(world, client_for):
    response = client_for(world.officer).get(URL.format(world.agreement.pk), {"format": "csv", "at": "nope"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()) == ["at"]


@pytest.mark.django_db
def test_alerts_appear_in_every_format(world, client_for):
    alert, _created = alert_raise(
        kind="quota_exceeded", dedup_key="k1", summary="Quota exceeded for POP-STATS", severity="warning",
        agreement=world.agreement, dataset=world.dataset, government_id=world.bureau.pk,
        partner_id=world.partner_org.pk, accountable_party_id=world.partner_org.pk, area="data_security",
    )
    client = client_for(world.supervisor)
    url = URL.format(world.agreement.pk)
    at = iso(timezone.now())
    body = client.get(url, {"at": at}).json()
    assert [(a["id"], a["kind"], a["status_at"]) for a in body["alerts"]] == [(alert.pk, "quota_exceeded", "open")]
    table = rows(client.get(url, {"at": at, "format": "csv"}))
    assert ["alerts", str(alert.pk), "status_at", "open"] in table
    assert ["alerts", str(alert.pk), "events[0].action", "raised"] in table
    assert "Quota exceeded for POP-STATS" in client.get(url, {"at": at, "format": "html"}).content.decode()
    # The other partner's report of its own agreement shows none of it.
    other = client_for(world.other_partner).get(URL.format(world.other_agreement.pk)).json()
    assert other["alerts"] == []
