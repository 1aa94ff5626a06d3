import pytest
from django.test import Client

from tests import factories as f


@pytest.fixture
def staff_officer(world):
    world.officer.is_staff = True
    world.officer.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(world.officer)
    return client


@pytest.fixture
def far_rows(world):
    far_dataset = f.dataset("FAR-DATA", world.far_bureau)
    far_grant = f.grant(world.far_officer, world.far_agreement, far_dataset)
    far_duty = f.assign(world.far_officer, world.far_agreement, "data_security", world.far_bureau)
    return far_dataset, far_grant, far_duty


@pytest.mark.django_db
def test_staff_officer_sees_only_their_rows(world, staff_officer, far_rows):
    far_dataset, far_grant, far_duty = far_rows
    mine = f.assign(world.officer, world.agreement, "data_security", world.partner_org)
    index = staff_officer.get("/admin/")
    assert index.status_code == 200
    assert "/admin/contracts/datausepermission/" in index.content.decode()
    assert staff_officer.get(f"/admin/contracts/dataset/{world.dataset.pk}/change/").status_code == 200
    datasets = staff_officer.get("/admin/contracts/dataset/")
    assert datasets.status_code == 200
    assert [d.code for d in datasets.context["cl"].result_list] == ["HEALTH-REC", "POP-STATS"]
    grants = staff_officer.get("/admin/contracts/datausepermission/")
    assert [g.pk for g in grants.context["cl"].result_list] == [world.permission.pk]
    duties = staff_officer.get("/admin/contracts/responsibilityassignment/")
    assert [d.pk for d in duties.context["cl"].result_list] == [mine.pk]
    # A foreign row's page does not open: the admin answers "no such object".
    for path in (
        f"/admin/contracts/dataset/{far_dataset.pk}/change/",
        f"/admin/contracts/datausepermission/{far_grant.pk}/change/",
        f"/admin/contracts/responsibilityassignment/{far_duty.pk}/change/",
    ):
        response = staff_officer.get(path)
        assert response.status_code == 302
        assert "FAR-DATA" not in response.content.decode()


@pytest.mark.django_db
def test_grant_page_shows_its_versions_read_only(world, staff_officer):
    response = staff_officer.get(f"/admin/contracts/datausepermission/{world.permission.pk}/change/")
    assert response.status_code == 200
    inline = response.context["inline_admin_formsets"][0]
    assert [form.original.number for form in inline] == [1]
    assert response.context["has_change_permission"] is False
    before = world.permission.quota_count
    staff_officer.post(f"/admin/contracts/datausepermission/{world.permission.pk}/change/", {"quota_count": 1})
    world.permission.refresh_from_db()
    assert world.permission.quota_count == before


@pytest.mark.django_db
def test_staff_officer_corrects_a_contact_but_not_the_validity(world, staff_officer):
    duty = f.assign(world.officer, world.agreement, "data_security", world.partner_org, contact_name="Old")
    response = staff_officer.post(
        f"/admin/contracts/responsibilityassignment/{duty.pk}/change/",
        {"contact_name": "王磊 Wang Lei", "contact_email": "wang@yunhai.example", "contact_phone": "1", "valid_to": "2000-01-01"},
    )
    assert response.status_code == 302
    duty.refresh_from_db()
    assert (duty.contact_name, duty.contact_email, duty.valid_to) == ("王磊 Wang Lei", "wang@yunhai.example", None)


@pytest.mark.django_db
def test_superuser_sees_every_province_and_partner_staff_sees_nothing(world, far_rows):
    admin = Client()
    admin.force_login(world.admin)
    codes = [d.code for d in admin.get("/admin/contracts/dataset/").context["cl"].result_list]
    assert codes == ["FAR-DATA", "HEALTH-REC", "POP-STATS"]
    world.partner.is_staff = True
    world.partner.save(update_fields=["is_staff"])
    partner = Client()
    partner.force_login(world.partner)
    assert partner.get("/admin/contracts/dataset/").status_code == 403
