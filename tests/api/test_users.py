import pytest
from django.contrib.auth import get_user_model

from partnerships.models import Membership

URL = "/api/v1/users/"
User = get_user_model()


def body(world, **over):
    data = {
        "username": "new.officer",
        "password": "a-long-unusual-passphrase-42",
        "email": "new.officer@example.test",
        "memberships": [{"organization": world.bureau.pk, "role": "officer"}],
    }
    data.update(over)
    return data


@pytest.mark.django_db
def test_admin_creates_a_user_with_memberships(world, client_for):
    data = body(
        world,
        memberships=[
            {"organization": world.bureau.pk, "role": "officer"},
            {"organization": world.audit_office.credit_code, "role": "auditor"},
        ],
    )
    response = client_for(world.admin).post(URL, data, format="json")
    assert response.status_code == 201
    user = User.objects.get(username="new.officer")
    assert response.json() == {
        "id": user.pk,
        "username": "new.officer",
        "email": "new.officer@example.test",
        "memberships": [
            {"organization": world.bureau.pk, "role": "officer"},
            {"organization": world.audit_office.pk, "role": "auditor"},
        ],
    }
    assert user.check_password("a-long-unusual-passphrase-42")
    assert sorted(Membership.objects.filter(user=user).values_list("organization_id", "role")) == sorted(
        [(world.bureau.pk, "officer"), (world.audit_office.pk, "auditor")]
    )


@pytest.mark.django_db
def test_password_is_never_rendered(world, client_for):
    listing = client_for(world.admin).get(URL)
    assert listing.status_code == 200
    assert listing.json()["count"] == User.objects.count()
    for row in listing.json()["results"]:
        assert "password" not in row
    officer = next(r for r in listing.json()["results"] if r["username"] == "officer")
    assert officer["memberships"] == [{"organization": world.bureau.pk, "role": "officer"}]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["officer", "partner", "other_partner", "supervisor", "auditor", "far_officer"])
def test_non_admins_may_neither_list_nor_create(world, client_for, persona):
    client = client_for(getattr(world, persona))
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{world.officer.pk}/").status_code == 403
    assert client.post(URL, body(world), format="json").status_code == 403
    assert not User.objects.filter(username="new.officer").exists()


@pytest.mark.django_db
def test_anonymous_is_401(world, client_for):
    assert client_for(None).get(URL).status_code == 401
    assert client_for(None).post(URL, body(world), format="json").status_code == 401
    assert not User.objects.filter(username="new.officer").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "over, field",
    [
        ({"password": "password"}, "password"),  # common
        ({"password": "short"}, "password"),
        ({"password": "12345678901234"}, "password"),  # entirely numeric
        ({"username": "officer"}, "username"),  # taken
        ({"username": "OFFICER"}, "username"),  # taken, other case
        ({"username": "bad name!"}, "username"),
        ({"email": "not-an-email"}, "email"),
        ({"memberships": [{"organization": 999999, "role": "officer"}]}, "memberships"),
        ({"memberships": [{"organization": "not-a-code", "role": "officer"}]}, "memberships"),
        ({"memberships": [{"organization": 1, "role": "king"}]}, "memberships"),
        ({"is_superuser": True}, "is_superuser"),
    ],
)
def test_bad_input_is_400_by_field(world, client_for, over, field):
    before = User.objects.count()
    response = client_for(world.admin).post(URL, body(world, **over), format="json")
    assert response.status_code == 400
    assert set(response.json()) == {field}
    assert User.objects.count() == before


@pytest.mark.django_db
def test_password_too_similar_to_username(world, client_for):
    response = client_for(world.admin).post(
        URL, body(world, username="zhangwei.officer", password="zhangwei.officer1"), format="json"
    )
    assert response.status_code == 400
    assert response.json()["password"] == ["The password is too similar to the username."]
    assert not User.objects.filter(username="zhangwei.officer").exists()


@pytest.mark.django_db
def test_duplicate_membership_is_400(world, client_for):
    twice = [
        {"organization": world.bureau.pk, "role": "officer"},
        {"organization": world.bureau.credit_code, "role": "officer"},
    ]
    response = client_for(world.admin).post(URL, body(world, memberships=twice), format="json")
    assert response.status_code == 400
    assert response.json() == {"memberships": ["The same organization and role are listed twice."]}
    assert not User.objects.filter(username="new.officer").exists()


@pytest.mark.django_db
def test_created_user_can_sign_in_and_act(world, client_for):
    from rest_framework.test import APIClient

    client_for(world.admin).post(URL, body(world), format="json")
    client = APIClient()
    token = client.post(
        "/api/v1/auth/token/", {"username": "new.officer", "password": "a-long-unusual-passphrase-42"}, format="json"
    )
    assert token.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    refs = sorted(a["reference"] for a in client.get("/api/v1/agreements/").json()["results"])
    assert refs == ["ZJ-BOT-001", "ZJ-SVC-002"]
