from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerships.codes import OrganizationKind, Role
from partnerships.validators import jurisdiction_prefix, validate_credit_code, validate_region_code


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices)
    credit_code = models.CharField(
        _("Unified Social Credit Code"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    region_code = models.CharField(_("region code"), max_length=6, validators=[validate_region_code])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        indexes = [models.Index(fields=["region_code"])]

    def __str__(self):
        return self.name

    @property
    def jurisdiction(self) -> str:
        return jurisdiction_prefix(self.region_code)


class Membership(models.Model):
    """A user acts for an organization in a role; one person may hold several."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="membership_unique"),
        ]

    def __str__(self):
        return f"{self.user} · {self.organization} · {self.role}"


class Partnership(models.Model):
    """A government-enterprise cooperation (a project) that groups agreements."""

    name = models.CharField(_("name"), max_length=200)
    government = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="partnerships_as_government", verbose_name=_("government")
    )
    partner = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="partnerships_as_partner", verbose_name=_("partner")
    )
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")

    def __str__(self):
        return self.name
