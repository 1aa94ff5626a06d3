"""The alert page shows the requests that asked for its kind of use, and lets the partner ask."""

import pytest

from contracts.services.grant_requests import grant_request_refuse
from partnerships.actors import actor_for
from tests.api.test_alert_requests import ask_change, raise_alert


@pytest.mark.django_db
def test_alert_page_links_the_refused_request_and_offers_the_partner_to_ask(world, client):
    refused = ask_change(world, actions=["read", "aggregate", "derive"])
    grant_request_refuse(actor=actor_for(world.officer), grant_request=refused, reason="security_risk")
    alert = raise_alert(world, "action_not_permitted", ["aggregate", "read"], ["derive"], permission=world.permission)
    ask = f"/grant-requests/new/?permission={world.permission.pk}"

    client.force_login(world.partner)
    page = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert f'href="/grant-requests/{refused.pk}/"' in page
    assert f'href="{ask}"' in page

    client.force_login(world.supervisor)
    page = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert f'href="/grant-requests/{refused.pk}/"' in page
    assert "/grant-requests/new/" not in page  # only the partner asks for data


@pytest.mark.django_db
def test_alert_page_without_a_covering_request_says_so(world, client):
    alert = raise_alert(world, "action_not_permitted", ["aggregate", "read"], ["sell"], permission=world.permission)
    client.force_login(world.partner)
    page = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert "No pending or refused request covers this use." in page


@pytest.mark.django_db
def test_alert_page_section_is_translated(world, client):
    alert = raise_alert(world, "action_not_permitted", ["aggregate", "read"], ["sell"], permission=world.permission)
    client.force_login(world.partner)
    page = client.get(f"/alerts/{alert.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "数据申请" in page
    assert "申请涵盖此项使用的授权" in page
