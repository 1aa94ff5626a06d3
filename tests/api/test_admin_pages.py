import pytest
from django.test import Client

from contracts.models import Document, Milestone, Phase
from partnerships.models import Partnership


@pytest.fixture
def admin_browser(world):
    world.admin.is_staff = True
    world.admin.save()
    client = Client()
    client.force_login(world.admin)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/admin/partnerships/organization/",
        "/admin/partnerships/membership/",
        "/admin/partnerships/partnership/",
        "/admin/auth/user/",
        "/admin/contracts/agreement/",
        "/admin/contracts/agreement/?status__exact=active",
        "/admin/contracts/agreement/?q=ZJ-BOT",
    ],
)
def test_admin_lists_render(admin_browser, path):
    assert admin_browser.get(path).status_code == 200


@pytest.mark.django_db
def test_admin_change_pages_render_with_inlines(world, admin_browser, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    Partnership.objects.create(name="P", government=world.bureau, partner=world.partner_org)
    Phase.objects.create(agreement=world.agreement, kind="build")
    Milestone.objects.create(
        agreement=world.agreement, title="M", due_on=world.agreement.ends_on, responsible=world.partner_org
    )
    from django.core.files.base import ContentFile

    doc = Document(agreement=world.agreement, title="D", sha256="a" * 64, size=1)
    doc.file.save("d.txt", ContentFile(b"x"), save=False)
    doc.save()

    page = admin_browser.get(f"/admin/contracts/agreement/{world.agreement.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Signed and approved" in text  # the transition, read-only
    assert "Original agreement" in text  # version 1, read-only
    assert f"/api/v1/agreements/{world.agreement.pk}/documents/{doc.pk}/download/" in text
    user_page = admin_browser.get(f"/admin/auth/user/{world.officer.pk}/change/")
    assert user_page.status_code == 200
    assert "Procurement officer" in user_page.content.decode()  # the membership inline
    assert admin_browser.get(f"/admin/partnerships/organization/{world.bureau.pk}/change/").status_code == 200


@pytest.mark.django_db
def test_agreements_are_not_added_or_deleted_in_the_admin(world, admin_browser):
    assert admin_browser.get("/admin/contracts/agreement/add/").status_code == 403
    assert admin_browser.get(f"/admin/contracts/agreement/{world.agreement.pk}/delete/").status_code == 403


@pytest.mark.django_db
def test_phases_and_milestones_are_not_edited_in_the_admin(world, admin_browser):
    # Their changes go through the services, each leaving an audit entry; an admin form would not.
    page = admin_browser.get(f"/admin/contracts/agreement/{world.agreement.pk}/change/")
    formsets = {formset.formset.prefix: formset for formset in page.context["inline_admin_formsets"]}
    for prefix in ("phases", "milestones"):
        assert not formsets[prefix].has_add_permission and not formsets[prefix].has_change_permission
