import datetime
import threading

import pytest
from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from contracts.models import ResponsibilityAssignment
from contracts.services.agreements import agreement_transition
from partnerships.actors import actor_for
from tests import factories as f

URL = "/api/v1/responsibilities/"
NOW = timezone.now().replace(microsecond=0)
DAY = datetime.timedelta(days=1)


def iso(dt):
    return timezone.localtime(dt).isoformat()


def body(world, **extra):
    out = {
        "agreement": world.agreement.reference,
        "area": "data_security",
        "party": world.partner_org.credit_code,
        "raci": "A",
        "contact": world.partner.pk,
        "contact_name": "王磊 Wang Lei",
        "contact_email": "wang.lei@yunhai.example",
        "contact_phone": "+86 571 8888 0001",
        "valid_from": iso(NOW - 10 * DAY),
    }
    out.update(extra)
    return out


def snapshot():
    return list(ResponsibilityAssignment.objects.order_by("pk").values())


@pytest.mark.django_db
def test_officer_assigns_an_accountable_party(world, client_for):
    response = client_for(world.officer).post(URL, body(world), format="json")
    assert response.status_code == 201, response.json()
    row = ResponsibilityAssignment.objects.get()
    got = response.json()
    assert got == {
        "id": row.pk,
        "agreement": world.agreement.pk,
        "agreement_reference": "ZJ-BOT-001",
        "area": "data_security",
        "party": world.partner_org.pk,
        "party_name": world.partner_org.name,
        "raci": "A",
        "contact": world.partner.pk,
        "contact_name": "王磊 Wang Lei",
        "contact_email": "wang.lei@yunhai.example",
        "contact_phone": "+86 571 8888 0001",
        "valid_from": iso(NOW - 10 * DAY),
        "valid_to": None,
        "end_reason": "",
        "created_at": got["created_at"],
    }
    assert (row.created_by, row.contact) == (world.officer, world.partner)


@pytest.mark.django_db
def test_contact_is_optional_and_the_party_may_be_named_by_id(world, client_for):
    response = client_for(world.officer).post(
        URL, body(world, contact=None, party=world.bureau.pk, raci="R", contact_name="", contact_email=""), format="json"
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["party"], response.json()["contact"]) == (world.bureau.pk, None)


@pytest.mark.django_db
def test_second_accountable_party_for_an_overlapping_period_is_refused(world, client_for):
    client = client_for(world.officer)
    assert client.post(URL, body(world, valid_to=iso(NOW + 10 * DAY)), format="json").status_code == 201
    before = snapshot()
    clash = body(world, party=world.bureau.pk, contact=None, valid_from=iso(NOW + 5 * DAY))
    response = client.post(URL, clash, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["raci"]
    assert snapshot() == before
    # Back to back is fine: validity is half-open, [from, to).
    after = body(world, party=world.bureau.pk, contact=None, valid_from=iso(NOW + 10 * DAY))
    assert client.post(URL, after, format="json").status_code == 201
    # Another agreement, another area, or a responsible (R) party is not a clash.
    assert client.post(URL, body(world, agreement=world.other_agreement.pk), format="json").status_code == 201
    assert client.post(URL, body(world, area="incident_response"), format="json").status_code == 201
    assert client.post(URL, body(world, raci="R", party=world.bureau.pk, contact=None), format="json").status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, field",
    [
        ({"area": "weather"}, "area"),
        ({"raci": "X"}, "raci"),
        ({"valid_to": iso(NOW - 20 * DAY)}, "valid_to"),
        ({"valid_to": iso(NOW - 10 * DAY)}, "valid_to"),
        ({"valid_from": "soon"}, "valid_from"),
        ({"party": "91330000MA00000000"}, "party"),
        ({"agreement": "NOPE-1"}, "agreement"),
        ({"contact": 10**9}, "contact"),
        ({"contact_email": "not-an-address"}, "contact_email"),
    ],
)
def test_bad_assignment_is_refused_field_by_field(world, client_for, change, field):
    response = client_for(world.officer).post(URL, body(world, **change), format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert snapshot() == []


@pytest.mark.django_db
def test_contact_must_act_for_the_party(world, client_for):
    response = client_for(world.officer).post(URL, body(world, contact=world.other_partner.pk), format="json")
    assert response.status_code == 400
    assert response.json() == {"contact": [f"No member of the party with id {world.other_partner.pk}."]}
    assert snapshot() == []


@pytest.mark.django_db
def test_assignment_under_a_foreign_agreement_reads_as_unknown(world, client_for):
    response = client_for(world.officer).post(URL, body(world, agreement=world.far_agreement.reference), format="json")
    assert response.status_code == 400
    assert response.json() == {"agreement": ["No agreement with id or code JS-JV-001."]}
    assert snapshot() == []


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["partner", "supervisor", "auditor"])
def test_only_officers_and_admins_assign_or_end(world, client_for, persona):
    assignment = f.assign(world.officer, world.agreement, "data_security", world.partner_org)
    before = snapshot()
    client = client_for(getattr(world, persona))
    assert client.post(URL, body(world, area="financing"), format="json").status_code == 403
    assert client.post(f"{URL}{assignment.pk}/end/", {"reason": "x"}, format="json").status_code == 403
    assert snapshot() == before


@pytest.mark.django_db
def test_anonymous_is_refused(world, client_for):
    assert client_for(None).get(URL).status_code == 401
    assert client_for(None).post(URL, body(world), format="json").status_code == 401
    assert client_for(None).get(f"{URL}gaps/", {"agreement": world.agreement.pk}).status_code == 401
    assert snapshot() == []


@pytest.mark.django_db
def test_foreign_assignment_is_404_everywhere_and_unchanged(world, client_for):
    far = f.assign(world.far_officer, world.far_agreement, "data_security", world.far_bureau)
    other = f.assign(world.officer, world.other_agreement, "data_security", world.other_partner_org)
    before = snapshot()
    for user, assignment in [(world.officer, far), (world.supervisor, far), (world.partner, other), (world.partner, far)]:
        client = client_for(user)
        assert client.get(f"{URL}{assignment.pk}/").status_code == 404
    response = client_for(world.officer).post(f"{URL}{far.pk}/end/", {"reason": "x"}, format="json")
    assert response.status_code == 404
    assert client_for(world.officer).get(f"{URL}gaps/", {"agreement": world.far_agreement.pk}).status_code == 404
    assert client_for(world.partner).get(f"{URL}gaps/", {"agreement": "ZJ-SVC-002"}).status_code == 404
    assert snapshot() == before


@pytest.mark.django_db
def test_list_is_scoped_and_filtered(world, client_for):
    a = f.assign(world.officer, world.agreement, "data_security", world.partner_org, contact=world.partner)
    r = f.assign(world.officer, world.agreement, "data_security", world.bureau, raci="R")
    i = f.assign(world.officer, world.agreement, "incident_response", world.partner_org, raci="I")
    other = f.assign(world.officer, world.other_agreement, "data_security", world.other_partner_org)
    far = f.assign(world.far_officer, world.far_agreement, "data_security", world.far_bureau)

    def ids(user, **params):
        response = client_for(user).get(URL, params)
        assert response.status_code == 200, response.json()
        return sorted(row["id"] for row in response.json()["results"])

    assert ids(world.officer) == sorted([a.pk, r.pk, i.pk, other.pk])
    assert ids(world.auditor) == sorted([a.pk, r.pk, i.pk, other.pk])
    assert ids(world.partner) == sorted([a.pk, r.pk, i.pk])
    assert ids(world.other_partner) == [other.pk]
    assert ids(world.far_officer) == [far.pk]
    assert ids(world.officer, agreement="ZJ-BOT-001") == sorted([a.pk, r.pk, i.pk])
    assert ids(world.officer, agreement=world.other_agreement.pk) == [other.pk]
    assert ids(world.officer, area="incident_response") == [i.pk]
    assert ids(world.officer, raci="A") == sorted([a.pk, other.pk])
    assert ids(world.officer, party=world.bureau.credit_code) == [r.pk]
    assert ids(world.officer, party=world.partner_org.pk) == sorted([a.pk, i.pk])
    bad = client_for(world.officer).get(URL, {"raci": "Z"})
    assert bad.status_code == 400
    assert list(bad.json()) == ["raci"]


@pytest.mark.django_db
def test_end_then_reassign_and_ask_what_held_when(world, client_for):
    client = client_for(world.officer)
    first = client.post(URL, body(world, valid_from=iso(NOW - 10 * DAY)), format="json").json()
    ended = client.post(f"{URL}{first['id']}/end/", {"valid_to": iso(NOW - 5 * DAY), "reason": "Handover"}, format="json")
    assert ended.status_code == 200, ended.json()
    assert (ended.json()["valid_to"], ended.json()["end_reason"]) == (iso(NOW - 5 * DAY), "Handover")
    second = client.post(
        URL, body(world, party=world.bureau.pk, contact=world.officer.pk, valid_from=iso(NOW - 3 * DAY)), format="json"
    )
    assert second.status_code == 201, second.json()

    def held(instant):
        rows = client.get(URL, {"at": iso(instant), "agreement": world.agreement.pk}).json()["results"]
        return [row["id"] for row in rows]

    assert held(NOW - 11 * DAY) == []
    assert held(NOW - 10 * DAY) == [first["id"]]
    assert held(NOW - 5 * DAY) == []
    assert held(NOW - 4 * DAY) == []
    assert held(NOW - 3 * DAY) == [second.json()["id"]]
    assert held(NOW) == [second.json()["id"]]
    assert client.get(URL, {"at": "not a time"}).status_code == 400


@pytest.mark.django_db
def test_end_is_refused_without_a_reason_and_once_ended(world, client_for):
    assignment = f.assign(world.officer, world.agreement, "data_security", world.partner_org)
    client = client_for(world.officer)
    base = f"{URL}{assignment.pk}/end/"
    for bad, field in [({}, "reason"), ({"reason": " "}, "reason"), ({"reason": "x", "valid_to": "later"}, "valid_to")]:
        response = client.post(base, bad, format="json")
        assert response.status_code == 400
        assert list(response.json()) == [field]
    before_start = iso(assignment.valid_from - DAY)
    response = client.post(base, {"reason": "x", "valid_to": before_start}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["valid_to"]
    assignment.refresh_from_db()
    assert assignment.valid_to is None
    assert client.post(base, {"reason": "Contract ended"}, format="json").status_code == 200
    again = client.post(base, {"reason": "again"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_ended"


@pytest.mark.django_db
def test_gaps_of_an_active_agreement(world, client_for):
    client = client_for(world.supervisor)
    response = client.get(f"{URL}gaps/", {"agreement": world.agreement.reference})
    assert response.status_code == 200
    got = response.json()
    assert (got["agreement"], got["agreement_status"], got["flagged"]) == (world.agreement.pk, "active", True)
    # A BOT agreement: the baseline, construction and transfer of the assets.
    assert [g["area"] for g in got["gaps"]] == ["data_security", "incident_response", "construction", "asset_transfer"]
    assert got["gaps"][0] == {"area": "data_security", "name": "Data security"}
    for area in ("data_security", "construction", "incident_response", "asset_transfer"):
        f.assign(world.officer, world.agreement, area, world.partner_org)
    got = client.get(f"{URL}gaps/", {"agreement": world.agreement.pk}).json()
    assert (got["flagged"], got["gaps"]) == (False, [])


@pytest.mark.django_db
def test_gap_opens_when_the_accountable_party_leaves(world, client_for):
    areas = ("data_security", "construction", "incident_response", "asset_transfer")
    assignments = {area: f.assign(world.officer, world.agreement, area, world.partner_org) for area in areas}
    f.assign(world.officer, world.agreement, "service_quality", world.partner_org, raci="R")
    # The agreement was activated just now, so ask about instants from now on.
    now = timezone.now()
    client_for(world.officer).post(
        f"{URL}{assignments['incident_response'].pk}/end/", {"valid_to": iso(now + DAY), "reason": "Left"}, format="json"
    )
    client = client_for(world.partner)

    def gaps(instant):
        got = client.get(f"{URL}gaps/", {"agreement": world.agreement.pk, "at": iso(instant)}).json()
        return [g["area"] for g in got["gaps"]]

    # service_quality has someone responsible but nobody accountable; incident_response from tomorrow on.
    assert gaps(now) == ["service_quality"]
    assert gaps(now + 2 * DAY) == ["incident_response", "service_quality"]
    # Before activation the agreement was a draft: nothing is flagged.
    assert gaps(now - DAY) == []


@pytest.mark.django_db
def test_an_agreement_not_active_has_no_gaps_flagged(world, client_for):
    agreement_transition(actor=actor_for(world.officer), agreement=world.other_agreement, action="suspend", reason="Audit")
    got = client_for(world.officer).get(f"{URL}gaps/", {"agreement": world.other_agreement.pk}).json()
    assert (got["agreement_status"], got["flagged"], got["gaps"]) == ("suspended", False, [])


@pytest.mark.django_db
def test_gaps_need_an_agreement_and_a_readable_instant(world, client_for):
    client = client_for(world.officer)
    missing = client.get(f"{URL}gaps/")
    assert (missing.status_code, list(missing.json())) == (400, ["agreement"])
    bad = client.get(f"{URL}gaps/", {"agreement": world.agreement.pk, "at": "tomorrow"})
    assert (bad.status_code, list(bad.json())) == (400, ["at"])
    assert client.get(f"{URL}gaps/", {"agreement": "NO-SUCH"}).status_code == 404


def _accountable_row(agreement, party, valid_from, valid_to=None):
    return ResponsibilityAssignment(
        agreement=agreement, area="data_security", party=party, raci="A", valid_from=valid_from, valid_to=valid_to
    )


@pytest.mark.needs_postgres
@pytest.mark.django_db
def test_database_refuses_two_accountable_parties_even_past_the_service(world):
    _accountable_row(world.agreement, world.partner_org, NOW - 10 * DAY, NOW + 10 * DAY).save()
    with pytest.raises(IntegrityError, match="responsibility_one_accountable"), transaction.atomic():
        _accountable_row(world.agreement, world.bureau, NOW, None).save()
    # Touching ends and non-accountable rows are allowed.
    _accountable_row(world.agreement, world.bureau, NOW + 10 * DAY).save()
    ResponsibilityAssignment.objects.create(
        agreement=world.agreement, area="data_security", party=world.bureau, raci="R", valid_from=NOW
    )
    assert ResponsibilityAssignment.objects.filter(raci="A").count() == 2


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_racing_transactions_cannot_both_make_a_party_accountable(world):
    """The first writer holds its row uncommitted while the second inserts an overlapping one:
    PostgreSQL makes the second wait on the exclusion constraint, then refuses it at commit of the first."""
    first_inserted = threading.Event()
    outcome = {}

    def writer(name, party, wait_for=None, signal=None, hold=0.0):
        try:
            if wait_for:
                wait_for.wait(10)
            with transaction.atomic():
                _accountable_row(world.agreement, party, NOW - DAY).save()
                if signal:
                    signal.set()
                    threading.Event().wait(hold)  # keep the transaction open while the other one tries
            outcome[name] = "committed"
        except IntegrityError as exc:
            outcome[name] = f"refused: {'responsibility_one_accountable' in str(exc)}"
        finally:
            connections.close_all()

    first = threading.Thread(target=writer, args=("first", world.partner_org), kwargs={"signal": first_inserted, "hold": 1.0})
    second = threading.Thread(target=writer, args=("second", world.bureau), kwargs={"wait_for": first_inserted})
    first.start()
    second.start()
    first.join(20)
    second.join(20)
    assert outcome == {"first": "committed", "second": "refused: True"}
    assert list(ResponsibilityAssignment.objects.values_list("party_id", flat=True)) == [world.partner_org.pk]


@pytest.mark.django_db
def test_list_takes_a_fixed_number_of_queries(world, client_for, django_assert_max_num_queries):
    for area in ("data_security", "incident_response", "financing", "construction", "data_quality"):
        f.assign(world.officer, world.agreement, area, world.partner_org, contact=world.partner)
    with django_assert_max_num_queries(6):
        assert client_for(world.officer).get(URL).json()["count"] == 5
