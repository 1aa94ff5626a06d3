import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from contracts.codes import Grade, PersonalInfo
from contracts.models import Agreement, DataUsePermission, Dataset
from contracts.selectors.grants import responsibility_gaps
from partnerships.actors import actor_for
from partnerships.models import Organization
from partnerships.validators import validate_credit_code

DEMO_APPS = ("auth", "partnerships", "contracts")


def row_counts() -> dict:
    return {
        model._meta.label: model.objects.count()
        for app in DEMO_APPS
        for model in apps.get_app_config(app).get_models()
    }


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=open("/dev/null", "w"))


@pytest.mark.django_db
def test_loading_twice_changes_nothing(demo):
    first = row_counts()
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert row_counts() == first
    assert first["contracts.Agreement"] == 8
    assert first["contracts.DataUsePermission"] == 13
    assert first["contracts.PermissionVersion"] == 21
    assert first["contracts.ResponsibilityAssignment"] == 26


@pytest.mark.django_db
def test_one_user_per_role_signs_in_with_the_demo_password(demo):
    roles = {}
    for name in ("officer", "partner", "partner2", "supervisor", "auditor", "admin"):
        request = RequestFactory().post("/")  # the lockout backend judges per request
        user = authenticate(request, username=name, password="demo-pass-2026")
        assert user is not None, name
        assert authenticate(request, username=name, password="wrong") is None
        roles[name] = sorted(actor_for(user).orgs)
    assert roles == {
        "officer": ["officer"],
        "partner": ["partner"],
        "partner2": ["partner"],
        "supervisor": ["supervisor"],
        "auditor": ["auditor"],
        "admin": [],
    }
    admin = authenticate(RequestFactory().post("/"), username="admin", password="demo-pass-2026")
    assert (admin.is_superuser, admin.is_staff, actor_for(admin).is_admin) == (True, True, True)


@pytest.mark.django_db
def test_organizations_are_valid_and_in_one_province(demo):
    kinds = set()
    for organization in Organization.objects.all():
        validate_credit_code(organization.credit_code)
        organization.full_clean()
        assert organization.region_code.startswith("33")
        assert organization.name_en
        kinds.add(organization.kind)
    assert kinds == {"government", "enterprise", "spv", "regulator"}


@pytest.mark.django_db
def test_agreements_cover_models_and_statuses(demo):
    statuses = dict(Agreement.objects.values_list("reference", "status"))
    assert set(statuses.values()) == {"draft", "active", "suspended", "terminated", "expired", "transferred"}
    assert {"BOT", "JV", "SERVICE"} <= set(Agreement.objects.values_list("model", flat=True))
    bot = Agreement.objects.get(reference="ZD-BOT-2024-001")
    assert (bot.version, bot.versions.count()) == (2, 2)
    assert sorted(bot.phases.values_list("kind", flat=True)) == ["build", "design", "operate", "transfer"]
    assert set(bot.milestones.values_list("status", flat=True)) == {"met", "notMet", "scheduled"}
    # Every non-draft agreement has a transition history with reasons.
    for agreement in Agreement.objects.exclude(status="draft"):
        assert agreement.transitions.exists()
        assert agreement.transitions.last().to_status == agreement.status


@pytest.mark.django_db
def test_datasets_of_every_level_and_grants_with_quotas_recipients_and_history(demo):
    assert set(Dataset.objects.values_list("grade", flat=True)) == set(Grade.values)
    assert set(Dataset.objects.values_list("personal_info", flat=True)) == set(PersonalInfo.values)
    assert not Dataset.objects.filter(name_en="").exists()
    assert DataUsePermission.objects.filter(quota_count__isnull=False).count() >= 5
    assert DataUsePermission.objects.filter(recipients__isnull=False).distinct().count() >= 2
    assert set(DataUsePermission.objects.values_list("status", flat=True)) == {"active", "suspended", "revoked"}
    social = DataUsePermission.objects.get(agreement__reference="ZD-BOT-2024-001", dataset__code="BDB-SOCIAL-SEC")
    assert list(social.versions.values_list("change", flat=True)) == ["grant", "suspend", "reinstate"]
    # Versions chain without gaps: each ends where the next begins.
    for grant in DataUsePermission.objects.all():
        versions = list(grant.versions.order_by("number"))
        for earlier, later in zip(versions, versions[1:]):
            assert earlier.effective_to == later.effective_from
        assert versions[-1].effective_to is None


@pytest.mark.django_db
def test_gaps_show_on_active_agreements(demo):
    now = timezone.now()
    gaps = {a.reference: responsibility_gaps(a, now) for a in Agreement.objects.all()}
    assert gaps == {
        "ZD-BOT-2024-001": ["asset_transfer"],
        "ZD-JV-2025-002": ["incident_response"],
        "ZD-SVC-2025-003": [],
        "ZD-SVC-2025-004": [],
        "ZD-SVC-2026-005": [],
        "ZD-SVC-2023-006": [],
        "ZD-OM-2024-007": [],
        "ZD-BOT-2012-008": [],
    }
