"""The not-found, not-allowed and server-error pages speak the reader's language and keep the site's frame."""

import pytest
from django.test import Client, RequestFactory

from partnerships.api.fallback import server_error

pytestmark = pytest.mark.django_db


def page_client(user, language="zh-hans") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def test_a_foreign_agreement_is_a_page_not_found_in_the_readers_language(world):
    response = page_client(world.partner).get(f"/agreements/{world.far_agreement.pk}/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "<h1>页面不存在</h1>" in page
    assert "退出" in page  # the site's header, with its sign-out button
    assert "Not Found" not in page


def test_a_page_not_found_in_english(world):
    response = page_client(world.partner, "en").get("/agreements/999999/")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.content.decode()


def test_a_page_the_role_may_not_use_is_not_allowed_in_the_readers_language(world):
    response = page_client(world.auditor).get(f"/agreements/{world.agreement.pk}/edit/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "<h1>无权操作</h1>" in page
    assert "403 Forbidden" not in page


def test_an_api_path_still_answers_json():
    response = Client().get("/api/v1/no-such-thing/")
    assert (response.status_code, response.json()) == (404, {"detail": "Not found.", "code": "not_found"})


def test_a_server_error_page_is_in_both_languages():
    response = server_error(RequestFactory().get("/agreements/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "系统出错了" in page and "Something went wrong" in page


def test_a_form_posted_without_its_token_says_it_expired_and_saves_nothing(world):
    from contracts.models import Agreement

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.officer)
    client.cookies["django_language"] = "zh-hans"
    response = client.post(f"/agreements/{world.agreement.pk}/status/", {"action": "suspend", "reason": "x"})
    assert response.status_code == 403
    assert "<h1>表单已失效</h1>" in response.content.decode()
    assert Agreement.objects.get(pk=world.agreement.pk).status == "active"
