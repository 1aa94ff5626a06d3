import pytest

from partnerships.models import Organization
from partnerships.validators import make_credit_code

URL = "/api/v1/organizations/"
GOOD_CODE = make_credit_code("91", "330100", "77770001")


def body(**over):
    data = {
        "name": "新公司 New Co",
        "name_en": "New Co",
        "kind": "enterprise",
        "credit_code": GOOD_CODE,
        "region_code": "330100",
    }
    data.update(over)
    return data


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona", ["officer", "partner", "other_partner", "supervisor", "auditor", "admin", "far_officer"]
)
def test_every_signed_in_person_reads_the_registry(world, client_for, persona):
    response = client_for(getattr(world, persona)).get(URL)
    assert response.status_code == 200
    assert response.json()["count"] == Organization.objects.count() == 7
    one = client_for(getattr(world, persona)).get(f"{URL}{world.far_bureau.pk}/").json()
    assert one == {
        "id": world.far_bureau.pk,
        "name": world.far_bureau.name,
        "name_en": "",
        "kind": "government",
        "credit_code": world.far_bureau.credit_code,
        "region_code": "320000",
    }


@pytest.mark.django_db
def test_anonymous_is_401(world, client_for):
    assert client_for(None).get(URL).status_code == 401
    assert client_for(None).post(URL, body(), format="json").status_code == 401
    assert not Organization.objects.filter(credit_code=GOOD_CODE).exists()


@pytest.mark.django_db
def test_admin_registers_an_organization(world, client_for):
    response = client_for(world.admin).post(URL, body(), format="json")
    assert response.status_code == 201
    created = Organization.objects.get(credit_code=GOOD_CODE)
    assert response.json() == {
        "id": created.pk,
        "name": "新公司 New Co",
        "name_en": "New Co",
        "kind": "enterprise",
        "credit_code": GOOD_CODE,
        "region_code": "330100",
    }


@pytest.mark.django_db
def test_admin_role_membership_may_register(world, client_for):
    from tests import factories as f

    registrar = f.user("registrar", (world.bureau, "admin"))
    assert client_for(registrar).post(URL, body(), format="json").status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["officer", "partner", "other_partner", "supervisor", "auditor", "far_officer"])
def test_others_may_not_register(world, client_for, persona):
    response = client_for(getattr(world, persona)).post(URL, body(), format="json")
    assert response.status_code == 403
    assert not Organization.objects.filter(credit_code=GOOD_CODE).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "over, field, message",
    [
        (
            {"credit_code": GOOD_CODE[:-1] + ("0" if GOOD_CODE[-1] != "0" else "1")},
            "credit_code",
            "The check character (18th) does not match; please check the code.",
        ),
        (
            {"credit_code": "91330100ABC"},
            "credit_code",
            "A Unified Social Credit Code is 18 characters: digits and capital letters except I, O, Z, S, V.",
        ),
        ({"credit_code": "91330100I7770001X"[:17] + "1"}, "credit_code", None),
        ({"region_code": "990000"}, "region_code", "99 is not a province-level division code."),
        ({"region_code": "33010"}, "region_code", "A region code is 6 digits (GB/T 2260)."),
        ({"kind": "ministry"}, "kind", '"ministry" is not a valid choice.'),
        ({"name": ""}, "name", "This field may not be blank."),
        ({"colour": "red"}, "colour", "Unknown field."),
        ({"id": 5}, "id", "This field is read-only."),
    ],
)
def test_bad_input_is_400_by_field(world, client_for, over, field, message):
    response = client_for(world.admin).post(URL, body(**over), format="json")
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {field}
    if message:
        assert errors[field] == [message]
    assert Organization.objects.count() == 7


@pytest.mark.django_db
def test_duplicate_credit_code_is_400(world, client_for):
    response = client_for(world.admin).post(URL, body(credit_code=world.bureau.credit_code), format="json")
    assert response.status_code == 400
    assert response.json() == {"credit_code": ["An organization with this credit code is already registered."]}
    assert Organization.objects.count() == 7


@pytest.mark.django_db
def test_filters(world, client_for):
    client = client_for(world.officer)

    def names(query):
        response = client.get(URL, query)
        assert response.status_code == 200
        return sorted(o["id"] for o in response.json()["results"])

    assert names({"kind": "government"}) == sorted([world.bureau.pk, world.far_bureau.pk])
    assert names({"region_code": "32"}) == sorted(
        Organization.objects.filter(region_code__startswith="32").values_list("pk", flat=True)
    )
    assert len(names({"region_code": "32"})) == 2
    assert names({"search": "Yunhai"}) == [world.partner_org.pk]
    assert names({"search": world.other_partner_org.credit_code}) == [world.other_partner_org.pk]
    assert client.get(URL, {"kind": "ministry"}).status_code == 400


@pytest.mark.django_db
def test_registry_is_read_only_for_writes_other_than_post(world, client_for):
    response = client_for(world.admin).delete(f"{URL}{world.bureau.pk}/")
    assert response.status_code == 405
    assert Organization.objects.filter(pk=world.bureau.pk).exists()
