"""Code lists of the parties (DESIGN section 2 and 3). The codes are public API."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    GOVERNMENT = "government", _("Government agency")
    ENTERPRISE = "enterprise", _("Enterprise")
    SPV = "spv", _("Special-purpose vehicle")
    REGULATOR = "regulator", _("Regulator")


class Role(models.TextChoices):
    OFFICER = "officer", _("Procurement officer")
    PARTNER = "partner", _("Partner representative")
    SUPERVISOR = "supervisor", _("Supervisor")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")
