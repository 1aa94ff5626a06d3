import pytest

from contracts.models import Dataset
from tests import factories as f

URL = "/api/v1/datasets/"


def codes(response):
    return [row["code"] for row in response.json()["results"]]


def new_dataset(world, **extra):
    body = {
        "code": "TRAFFIC-FLOW",
        "name": "交通流量 Traffic flow",
        "name_en": "Traffic flow",
        "owner": world.bureau.credit_code,
        "grade": "important",
        "personal_info": "personal",
        "description": "Loop-detector counts",
    }
    body.update(extra)
    return body


@pytest.mark.django_db
def test_officer_registers_a_dataset_naming_the_owner_by_credit_code(world, client_for):
    response = client_for(world.officer).post(URL, new_dataset(world), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    dataset = Dataset.objects.get(code="TRAFFIC-FLOW")
    assert body == {
        "id": dataset.pk,
        "code": "TRAFFIC-FLOW",
        "name": "交通流量 Traffic flow",
        "name_en": "Traffic flow",
        "owner": world.bureau.pk,
        "owner_name": world.bureau.name,
        "grade": "important",
        "personal_info": "personal",
        "description": "Loop-detector counts",
        "created_at": body["created_at"],
    }


@pytest.mark.django_db
def test_admin_registers_a_dataset_naming_the_owner_by_id(world, client_for):
    response = client_for(world.admin).post(URL, new_dataset(world, owner=world.far_bureau.pk), format="json")
    assert response.status_code == 201, response.json()
    assert Dataset.objects.get(code="TRAFFIC-FLOW").owner == world.far_bureau


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, field",
    [
        ({"grade": "secret"}, "grade"),
        ({"personal_info": "some"}, "personal_info"),
        ({"code": "POP-STATS"}, "code"),
        ({"code": ""}, "code"),
        ({"name": ""}, "name"),
        ({"owner": "91330000MA00000000"}, "owner"),
        ({"owner": [1]}, "owner"),
    ],
)
def test_bad_dataset_is_refused_field_by_field(world, client_for, change, field):
    before = Dataset.objects.count()
    response = client_for(world.officer).post(URL, new_dataset(world, **change), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Dataset.objects.count() == before


@pytest.mark.django_db
def test_owner_must_be_a_government_agency(world, client_for):
    response = client_for(world.officer).post(URL, new_dataset(world, owner=world.partner_org.pk), format="json")
    assert response.status_code == 400
    assert response.json() == {"owner": ["The owner of a government dataset must be a government agency."]}
    assert not Dataset.objects.filter(code="TRAFFIC-FLOW").exists()


@pytest.mark.django_db
def test_officer_cannot_register_data_of_another_province(world, client_for):
    response = client_for(world.officer).post(URL, new_dataset(world, owner=world.far_bureau.pk), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["owner"]
    assert not Dataset.objects.filter(code="TRAFFIC-FLOW").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["partner", "supervisor", "auditor"])
def test_only_officers_and_admins_register_datasets(world, client_for, persona):
    response = client_for(getattr(world, persona)).post(URL, new_dataset(world), format="json")
    assert response.status_code == 403
    assert not Dataset.objects.filter(code="TRAFFIC-FLOW").exists()


@pytest.mark.django_db
def test_anonymous_gets_nothing(world, client_for):
    assert client_for(None).get(URL).status_code == 401
    assert client_for(None).post(URL, new_dataset(world), format="json").status_code == 401
    assert not Dataset.objects.filter(code="TRAFFIC-FLOW").exists()


@pytest.mark.django_db
def test_each_persona_sees_its_part_of_the_catalogue(world, client_for):
    f.dataset("FAR-DATA", world.far_bureau)
    assert codes(client_for(world.officer).get(URL)) == ["HEALTH-REC", "POP-STATS"]
    assert codes(client_for(world.supervisor).get(URL)) == ["HEALTH-REC", "POP-STATS"]
    assert codes(client_for(world.auditor).get(URL)) == ["HEALTH-REC", "POP-STATS"]
    # Partners see what they were granted, nothing else.
    assert codes(client_for(world.partner).get(URL)) == ["POP-STATS"]
    assert codes(client_for(world.other_partner).get(URL)) == []
    assert codes(client_for(world.far_officer).get(URL)) == ["FAR-DATA"]
    assert codes(client_for(world.admin).get(URL)) == ["FAR-DATA", "HEALTH-REC", "POP-STATS"]


@pytest.mark.django_db
def test_filters(world, client_for):
    client = client_for(world.officer)
    assert codes(client.get(URL, {"grade": "important"})) == ["HEALTH-REC"]
    assert codes(client.get(URL, {"personal_info": "none"})) == ["POP-STATS"]
    assert codes(client.get(URL, {"owner": world.bureau.pk})) == ["HEALTH-REC", "POP-STATS"]
    assert codes(client.get(URL, {"owner": world.bureau.credit_code})) == ["HEALTH-REC", "POP-STATS"]
    assert codes(client.get(URL, {"owner": world.partner_org.pk})) == []
    assert codes(client.get(URL, {"search": "health"})) == ["HEALTH-REC"]
    assert codes(client.get(URL, {"search": "人口"})) == ["POP-STATS"]
    bad = client.get(URL, {"grade": "secret"})
    assert bad.status_code == 400
    assert list(bad.json()) == ["grade"]


@pytest.mark.django_db
def test_retrieve_by_id_or_code(world, client_for):
    client = client_for(world.partner)
    assert client.get(f"{URL}{world.dataset.pk}/").json()["code"] == "POP-STATS"
    assert client.get(f"{URL}POP-STATS/").json()["id"] == world.dataset.pk


@pytest.mark.django_db
def test_foreign_dataset_is_404_by_id_and_by_code(world, client_for):
    far = f.dataset("FAR-DATA", world.far_bureau)
    for user, dataset in [(world.officer, far), (world.partner, world.personal_dataset), (world.other_partner, world.dataset)]:
        client = client_for(user)
        assert client.get(f"{URL}{dataset.pk}/").status_code == 404
        assert client.get(f"{URL}{dataset.code}/").status_code == 404


@pytest.mark.django_db
def test_datasets_are_not_changed_or_deleted_over_the_api(world, client_for):
    client = client_for(world.officer)
    assert client.patch(f"{URL}{world.dataset.pk}/", {"grade": "core"}, format="json").status_code == 405
    assert client.delete(f"{URL}{world.dataset.pk}/").status_code == 405
    world.dataset.refresh_from_db()
    assert world.dataset.grade == "general"
