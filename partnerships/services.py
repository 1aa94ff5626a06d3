"""Writes to the parties: organizations, users with their memberships, partnerships."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partnerships.actors import Actor
from partnerships.audit import audit_record
from partnerships.codes import OrganizationKind, Role
from partnerships.models import Membership, Organization, Partnership
from partnerships.validators import validate_credit_code, validate_region_code

PARTNER_KINDS = (OrganizationKind.ENTERPRISE, OrganizationKind.SPV)


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDenied(_("Only administrators may do this."))


@transaction.atomic
def organization_create(
    *, actor: Actor, name: str, kind: str, credit_code: str, region_code: str, name_en: str = ""
) -> Organization:
    _require_admin(actor)
    errors = {}
    for field, validator, value in (
        ("credit_code", validate_credit_code, credit_code),
        ("region_code", validate_region_code, region_code),
    ):
        try:
            validator(value)
        except ValidationError as exc:
            errors[field] = exc.messages
    if kind not in OrganizationKind.values:
        errors["kind"] = [_("Unknown organization kind.")]
    if not errors.get("credit_code") and Organization.objects.filter(credit_code=credit_code).exists():
        errors["credit_code"] = [_("An organization with this credit code is already registered.")]
    if errors:
        raise ValidationError(errors)
    organization = Organization.objects.create(
        name=name, name_en=name_en, kind=kind, credit_code=credit_code, region_code=region_code
    )
    audit_record(
        actor=actor,
        action="organization.create",
        obj=organization,
        after={"name": name, "name_en": name_en, "kind": kind, "credit_code": credit_code, "region_code": region_code},
        organization=organization,
    )
    return organization


@transaction.atomic
def user_create(
    *,
    actor: Actor,
    username: str,
    password: str,
    email: str = "",
    memberships: list[tuple[Organization, str]] = (),
):
    """Create a person with the roles they hold; the password is checked by Django's validators."""
    _require_admin(actor)
    User = get_user_model()
    errors = {}
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("A user with this username already exists.")]
    try:
        validate_password(password, user=User(username=username, email=email))
    except ValidationError as exc:
        errors["password"] = exc.messages
    pairs = [(org, role) for org, role in memberships]
    for _org, role in pairs:
        if role not in Role.values:
            errors["memberships"] = [_("Unknown role %(role)s.") % {"role": role}]
    if len(set((org.pk, role) for org, role in pairs)) != len(pairs):
        errors["memberships"] = [_("The same organization and role are listed twice.")]
    if errors:
        raise ValidationError(errors)
    user = User.objects.create_user(username=username, password=password, email=email)
    Membership.objects.bulk_create([Membership(user=user, organization=org, role=role) for org, role in pairs])
    # Never the password, not even its hash.
    audit_record(
        actor=actor,
        action="user.create",
        obj=user,
        after={"username": username, "email": email, "memberships": [[org.pk, role] for org, role in pairs]},
        organization=pairs[0][0] if len({org.pk for org, _role in pairs}) == 1 else None,
    )
    return user


@transaction.atomic
def partnership_create(
    *, actor: Actor, name: str, government: Organization, partner: Organization, description: str = ""
) -> Partnership:
    """An officer registers a cooperation their own agency is the government party of."""
    if not (actor.is_admin or government.pk in actor.org_ids(Role.OFFICER)):
        raise PermissionDenied(_("Only officers of the government party may register its partnerships."))
    errors = {}
    if government.kind != OrganizationKind.GOVERNMENT:
        errors["government"] = [_("The government party must be a government agency.")]
    if partner.kind not in PARTNER_KINDS:
        errors["partner"] = [_("The partner party must be an enterprise or a special-purpose vehicle.")]
    if not name or not name.strip():
        errors["name"] = [_("A name is required.")]
    if errors:
        raise ValidationError(errors)
    partnership = Partnership.objects.create(
        name=name.strip(), government=government, partner=partner, description=description
    )
    audit_record(
        actor=actor,
        action="partnership.create",
        obj=partnership,
        after={"name": partnership.name, "government": government.pk, "partner": partner.pk, "description": description},
        organization=government,
    )
    return partnership
