from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from contracts.codes import Area, Raci
from contracts.models.agreements import Agreement
from partnerships.models import Organization


class ResponsibilityAssignment(models.Model):
    """Who answers for an area of an agreement, over [valid_from, valid_to).

    At most one accountable (``A``) party per agreement, area and instant: on
    PostgreSQL an exclusion constraint over the validity range holds it (see
    migration 0002); the service checks it too, for SQLite and for clear errors.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="responsibilities")
    area = models.CharField(_("area"), max_length=30, choices=Area.choices)
    party = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("party"))
    raci = models.CharField(_("RACI"), max_length=1, choices=Raci.choices)
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="responsibilities"
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    valid_from = models.DateTimeField(_("valid from"))
    valid_to = models.DateTimeField(_("valid to"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    end_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["agreement", "area", "valid_from", "id"]
        verbose_name = _("responsibility assignment")
        verbose_name_plural = _("responsibility assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")), name="responsibility_valid_order"
            ),
        ]
        indexes = [models.Index(fields=["agreement", "area", "raci"])]

    def __str__(self):
        return f"{self.agreement.reference} {self.area} {self.raci} {self.party}"
