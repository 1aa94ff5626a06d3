"""The province's organizations and one user per role."""

from django.contrib.auth import get_user_model

from contracts.demo.common import PASSWORD
from partnerships.models import Membership, Organization
from partnerships.validators import make_credit_code

# key: (name, English name, kind, region, credit-code prefix, 8-character organization-code body)
ORGANIZATIONS = {
    "bureau": ("省大数据发展管理局", "Provincial Big Data Development Bureau", "government", "330000", "11", "00247011"),
    "health": ("省卫生健康委员会", "Provincial Health Commission", "government", "330000", "11", "00247028"),
    "police": ("省公安厅", "Provincial Public Security Department", "government", "330000", "11", "00247035"),
    "yunhai": ("云海科技有限公司", "Yunhai Technology Co., Ltd.", "enterprise", "330100", "91", "MA27YH01"),
    "smartcity": ("数智城市运营有限公司", "Smart City Operations Co., Ltd.", "enterprise", "330200", "91", "MA2C4W02"),
    "zhedong": ("数字浙东运营有限公司", "Digital Zhedong Operations Co., Ltd. (JV operator)", "spv", "330000", "91", "MA2D8E03"),
    "institute": ("东港医疗数据研究院有限公司", "Donggang Medical Data Research Institute Co., Ltd.", "enterprise", "330200", "91", "MA2G6K04"),
    "supervision": ("省数据安全监督办公室", "Provincial Data Security Supervision Office", "regulator", "330000", "11", "00247042"),
    "audit": ("省审计厅", "Provincial Audit Office", "regulator", "330000", "11", "00247059"),
}

# username: (organization key or None, role or None, staff, superuser, full name)
USERS = {
    "officer": ("bureau", "officer", True, False, "李明 Li Ming"),
    "officer_health": ("health", "officer", True, False, "陈静 Chen Jing"),
    "officer_police": ("police", "officer", True, False, "赵强 Zhao Qiang"),
    "partner": ("yunhai", "partner", False, False, "王磊 Wang Lei"),
    "partner2": ("smartcity", "partner", False, False, "刘洋 Liu Yang"),
    "operator": ("zhedong", "partner", False, False, "周婷 Zhou Ting"),
    "supervisor": ("supervision", "supervisor", False, False, "孙伟 Sun Wei"),
    "auditor": ("audit", "auditor", False, False, "吴敏 Wu Min"),
    "admin": (None, None, True, True, "系统管理员 System Administrator"),
}


def credit_code_of(key: str) -> str:
    _, _, _, region, prefix, body = ORGANIZATIONS[key]
    return make_credit_code(prefix, region, body)


def org(key: str) -> Organization:
    return Organization.objects.get(credit_code=credit_code_of(key))


def ensure_organization(key: str) -> Organization:
    name, name_en, kind, region, _, _ = ORGANIZATIONS[key]
    organization, _ = Organization.objects.get_or_create(
        credit_code=credit_code_of(key),
        defaults={"name": name, "name_en": name_en, "kind": kind, "region_code": region},
    )
    return organization


def ensure_user(username: str):
    org_key, role, staff, superuser, full_name = USERS[username]
    family, _, rest = full_name.partition(" ")
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        user = get_user_model().objects.create_user(
            username=username,
            password=PASSWORD,
            email=f"{username}@demo.example",
            first_name=rest,
            last_name=family,
            is_staff=staff,
            is_superuser=superuser,
        )
    if org_key is not None:
        Membership.objects.get_or_create(user=user, organization=ensure_organization(org_key), role=role)
    return user


def load() -> None:
    for key in ORGANIZATIONS:
        ensure_organization(key)
    for username in USERS:
        ensure_user(username)
