"""Writes to the dataset catalogue."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from contracts.codes import Grade, PersonalInfo
from contracts.models import Dataset
from partnerships.actors import Actor
from partnerships.audit import audit_record
from partnerships.codes import OrganizationKind, Role
from partnerships.models import Organization


def can_register_datasets_of(actor: Actor, owner: Organization) -> bool:
    """Officers register the data of government agencies in their jurisdiction (a provincial
    big-data bureau keeps the catalogue for the province's agencies); admins register any."""
    if actor.is_admin:
        return True
    return any(owner.region_code.startswith(prefix) for prefix in actor.regions(Role.OFFICER))


@transaction.atomic
def dataset_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    owner: Organization,
    grade: str,
    personal_info: str,
    name_en: str = "",
    description: str = "",
) -> Dataset:
    if not can_register_datasets_of(actor, owner):
        raise PermissionDenied(_("Only officers of the owner's jurisdiction may register its datasets."))
    errors = {}
    code = (code or "").strip()
    if not code:
        errors["code"] = _("A dataset needs a code.")
    elif Dataset.objects.filter(code=code).exists():
        errors["code"] = _("A dataset with this code already exists.")
    if not (name or "").strip():
        errors["name"] = _("A dataset needs a name.")
    if owner.kind != OrganizationKind.GOVERNMENT:
        errors["owner"] = _("The owner of a government dataset must be a government agency.")
    if grade not in Grade.values:
        errors["grade"] = _("Grade must be one of: %s.") % ", ".join(Grade.values)
    if personal_info not in PersonalInfo.values:
        errors["personal_info"] = _("Personal information must be one of: %s.") % ", ".join(PersonalInfo.values)
    if errors:
        raise ValidationError(errors)
    dataset = Dataset.objects.create(
        code=code,
        name=name.strip(),
        name_en=name_en.strip(),
        owner=owner,
        grade=grade,
        personal_info=personal_info,
        description=description,
    )
    audit_record(
        actor=actor,
        action="dataset.create",
        obj=dataset,
        after={"code": code, "name": dataset.name, "owner": owner.pk, "grade": grade, "personal_info": personal_info},
        organization=owner,
    )
    return dataset
