"""Sign-in, role home pages and the membership switcher (Django test client)."""

import pytest
from django.test import Client

from partnerships.models import Membership
from partnerships.views.membership import SESSION_KEY

pytestmark = pytest.mark.django_db


def page_client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_root_is_the_sign_in_page_for_an_anonymous_visitor(world):
    response = page_client().get("/")
    assert response.status_code == 200
    assert response.templates[0].name == "registration/login.html"
    assert b'name="username"' in response.content


def test_root_sends_a_signed_in_person_home(world):
    response = page_client(world.officer).get("/")
    assert (response.status_code, response["Location"]) == (302, "/home/")


def test_pages_need_signing_in(world):
    for url in ("/home/", "/agreements/", f"/agreements/{world.agreement.pk}/", f"/grants/{world.permission.pk}/"):
        response = page_client().get(url)
        assert (response.status_code, response["Location"]) == (302, f"/?next={url}")


def test_signing_in_with_a_wrong_password_shows_an_error_and_no_session(world):
    client = page_client()
    response = client.post("/", {"username": "officer", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_signing_in_lands_on_home(world):
    response = page_client().post("/", {"username": "officer", "password": "correct-horse-battery"})
    assert (response.status_code, response["Location"]) == (302, "/home/")


@pytest.mark.parametrize(
    "persona, template",
    [
        ("officer", "notifications/home_officer.html"),
        ("partner", "notifications/home_partner.html"),
        ("supervisor", "notifications/home_supervisor.html"),
        ("auditor", "notifications/home_auditor.html"),
        ("admin", "notifications/home_auditor.html"),
    ],
)
def test_each_role_gets_its_home_page(world, persona, template):
    response = page_client(getattr(world, persona)).get("/home/")
    assert response.status_code == 200
    assert template in [t.name for t in response.templates]


def test_officer_home_lists_drafts_and_grants_expiring_soon(world):
    from datetime import timedelta

    from django.utils import timezone

    from contracts.services.permissions import permission_change
    from partnerships.actors import actor_for
    from tests import factories as f

    draft = f.agreement(world.officer, world.bureau, world.partner_org, reference="ZJ-DRAFT-1", active=False)
    permission_change(
        actor=actor_for(world.officer),
        permission=world.permission,
        reason="Shortened",
        valid_until=timezone.now() + timedelta(days=5),
    )
    response = page_client(world.officer).get("/home/")
    assert [a.reference for a in response.context["drafts"]] == [draft.reference]
    assert [g.pk for g in response.context["expiring_grants"]] == [world.permission.pk]
    assert [a.reference for a in response.context["agreements"]] == ["ZJ-BOT-001", "ZJ-SVC-002"]


def test_partner_home_shows_only_its_own_agreements_and_grants(world):
    response = page_client(world.partner).get("/home/")
    assert [a.reference for a in response.context["agreements"]] == ["ZJ-BOT-001"]
    assert [g.pk for g in response.context["grants"]] == [world.permission.pk]
    assert b"ZJ-SVC-002" not in response.content


def test_a_person_with_two_memberships_switches_between_them(world):
    # The officer also audits for the audit office: the pages act in one membership at a time.
    audit = Membership.objects.create(user=world.officer, organization=world.audit_office, role="auditor")
    officer_membership = world.officer.memberships.get(role="officer")
    client = page_client(world.officer)
    home = client.get("/home/")
    assert "notifications/home_officer.html" in [t.name for t in home.templates]
    assert b'id="membership-select"' in home.content

    response = client.post("/membership/", {"membership": audit.pk, "next": "/agreements/"})
    assert (response.status_code, response["Location"]) == (302, "/agreements/")
    assert client.session[SESSION_KEY] == audit.pk
    home = client.get("/home/")
    assert "notifications/home_auditor.html" in [t.name for t in home.templates]
    # As an auditor the officer may not register an agreement.
    assert client.get("/agreements/new/").status_code == 403

    client.post("/membership/", {"membership": officer_membership.pk})
    assert client.get("/agreements/new/").status_code == 200


def test_switching_to_someone_elses_membership_is_ignored(world):
    foreign = world.supervisor.memberships.get()
    client = page_client(world.partner)
    response = client.post("/membership/", {"membership": foreign.pk, "next": "https://evil.example/"})
    assert (response.status_code, response["Location"]) == (302, "/home/")
    assert SESSION_KEY not in client.session
    assert [a.reference for a in client.get("/agreements/").context["page"]] == ["ZJ-BOT-001"]


def test_language_follows_the_browser_and_the_switch(world):
    client = page_client(world.officer)
    response = client.get("/agreements/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert "<h1>协议</h1>" in response.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/agreements/"})
    response = client.get("/agreements/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert "<h1>Agreements</h1>" in response.content.decode()
