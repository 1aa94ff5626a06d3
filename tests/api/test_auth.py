import pytest
from django.contrib.auth.signals import user_login_failed
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

URL = "/api/v1/auth/token/"


@pytest.mark.django_db
def test_token_for_good_credentials_opens_the_api(world):
    client = APIClient()
    response = client.post(URL, {"username": "partner", "password": "correct-horse-battery"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert token == Token.objects.get(user=world.partner).key

    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    agreements = client.get("/api/v1/agreements/")
    assert agreements.status_code == 200
    assert [a["reference"] for a in agreements.json()["results"]] == ["ZJ-BOT-001"]


@pytest.mark.django_db
def test_same_token_on_second_sign_in(world):
    client = APIClient()
    first = client.post(URL, {"username": "officer", "password": "correct-horse-battery"}, format="json").json()
    second = client.post(URL, {"username": "officer", "password": "correct-horse-battery"}, format="json").json()
    assert first == second
    assert Token.objects.filter(user=world.officer).count() == 1


@pytest.mark.django_db
def test_bad_password_is_400_and_fires_login_failed(world):
    seen = []

    def listener(sender, credentials, request=None, **kwargs):
        seen.append((credentials.get("username"), request is not None))

    user_login_failed.connect(listener)
    try:
        response = APIClient().post(URL, {"username": "officer", "password": "wrong"}, format="json")
    finally:
        user_login_failed.disconnect(listener)
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Unable to sign in with this username and password."]}
    assert seen == [("officer", True)]
    assert not Token.objects.filter(user=world.officer).exists()


@pytest.mark.django_db
def test_inactive_user_gets_no_token(world):
    world.partner.is_active = False
    world.partner.save()
    response = APIClient().post(URL, {"username": "partner", "password": "correct-horse-battery"}, format="json")
    assert response.status_code == 400
    assert not Token.objects.filter(user=world.partner).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, field",
    [
        ({"password": "x"}, "username"),
        ({"username": "officer"}, "password"),
        ({"username": "officer", "password": "x", "otp": 1}, "otp"),
    ],
)
def test_missing_or_unknown_fields_are_400(world, body, field):
    response = APIClient().post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.django_db
def test_malformed_json_is_400(world):
    response = APIClient().post(URL, '{"username": "officer",', content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


@pytest.mark.django_db
def test_stale_token_does_not_block_sign_in(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token deadbeef")
    response = client.post(URL, {"username": "officer", "password": "correct-horse-battery"}, format="json")
    assert response.status_code == 200


@pytest.mark.django_db
def test_bad_token_is_401(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token deadbeef")
    assert client.get("/api/v1/organizations/").status_code == 401
