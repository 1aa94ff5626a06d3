import pytest

from partnerships.models import Partnership

URL = "/api/v1/partnerships/"


@pytest.fixture
def projects(world):
    own = Partnership.objects.create(
        name="省政务云 Provincial cloud", government=world.bureau, partner=world.partner_org
    )
    other = Partnership.objects.create(
        name="城市大脑 City brain", government=world.bureau, partner=world.other_partner_org
    )
    far = Partnership.objects.create(
        name="邻省 Far project", government=world.far_bureau, partner=world.far_agreement.partner
    )
    return own, other, far


def names(client):
    response = client.get(URL)
    assert response.status_code == 200
    return sorted(p["name"] for p in response.json()["results"])


@pytest.mark.django_db
def test_each_persona_sees_its_partnerships(world, client_for, projects):
    both = ["城市大脑 City brain", "省政务云 Provincial cloud"]
    assert names(client_for(world.officer)) == both
    assert names(client_for(world.partner)) == ["省政务云 Provincial cloud"]
    assert names(client_for(world.other_partner)) == ["城市大脑 City brain"]
    assert names(client_for(world.supervisor)) == both
    assert names(client_for(world.auditor)) == both
    assert names(client_for(world.far_officer)) == ["邻省 Far project"]
    assert names(client_for(world.admin)) == sorted(both + ["邻省 Far project"])


@pytest.mark.django_db
def test_foreign_partnership_is_404(world, client_for, projects):
    own, other, far = projects
    assert client_for(world.partner).get(f"{URL}{other.pk}/").status_code == 404
    assert client_for(world.officer).get(f"{URL}{far.pk}/").status_code == 404
    assert client_for(world.auditor).get(f"{URL}{far.pk}/").status_code == 404
    response = client_for(world.partner).get(f"{URL}{own.pk}/")
    assert response.status_code == 200
    assert response.json() == {
        "id": own.pk,
        "name": "省政务云 Provincial cloud",
        "government": world.bureau.pk,
        "partner": world.partner_org.pk,
        "description": "",
        "created_at": response.json()["created_at"],
    }


@pytest.mark.django_db
def test_anonymous_is_401(world, client_for, projects):
    assert client_for(None).get(URL).status_code == 401
    assert client_for(None).post(URL, {"name": "x"}, format="json").status_code == 401


@pytest.mark.django_db
def test_officer_registers_a_partnership_by_credit_code(world, client_for):
    body = {
        "name": "数据开放 Open data",
        "government": world.bureau.credit_code,
        "partner": world.partner_org.pk,
        "description": "d",
    }
    response = client_for(world.officer).post(URL, body, format="json")
    assert response.status_code == 201
    created = Partnership.objects.get(name="数据开放 Open data")
    assert (created.government, created.partner, created.description) == (world.bureau, world.partner_org, "d")
    assert response.json()["id"] == created.pk


@pytest.mark.django_db
def test_admin_registers_for_any_agency(world, client_for):
    body = {"name": "Far", "government": world.far_bureau.pk, "partner": world.partner_org.pk}
    assert client_for(world.admin).post(URL, body, format="json").status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["partner", "other_partner", "supervisor", "auditor"])
def test_non_officers_may_not_register(world, client_for, persona):
    body = {"name": "Sneaky", "government": world.bureau.pk, "partner": world.partner_org.pk}
    assert client_for(getattr(world, persona)).post(URL, body, format="json").status_code == 403
    assert not Partnership.objects.filter(name="Sneaky").exists()


@pytest.mark.django_db
def test_officer_may_not_register_for_another_agency(world, client_for):
    body = {"name": "Sneaky", "government": world.far_bureau.pk, "partner": world.partner_org.pk}
    assert client_for(world.officer).post(URL, body, format="json").status_code == 403
    assert not Partnership.objects.filter(name="Sneaky").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "over, field",
    [
        ({"government": "partner_org"}, "government"),  # an enterprise as the government party
        ({"partner": "bureau"}, "partner"),  # a government agency as the partner
        ({"partner": 999999}, "partner"),
        ({"partner": "91330000XXXXXXXXXX"}, "partner"),
        ({"name": ""}, "name"),
        ({"budget": 1}, "budget"),
    ],
)
def test_bad_input_is_400_by_field(world, client_for, over, field):
    body = {"name": "Bad", "government": world.bureau.pk, "partner": world.partner_org.pk}
    for key, value in over.items():
        body[key] = getattr(world, value).pk if value in ("partner_org", "bureau") else value
    client = client_for(world.admin if field == "government" else world.officer)
    response = client.post(URL, body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {field}
    assert not Partnership.objects.exists()
