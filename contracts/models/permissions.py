from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from contracts.codes import DeclarationSchedule, PermissionStatus, QuotaInterval, QuotaUnit
from contracts.models.agreements import Agreement
from contracts.models.datasets import Dataset
from partnerships.models import Organization

# Terms copied into each version snapshot (recipients are stored as a list of ids there).
GRANT_TERMS = (
    "actions",
    "purposes",
    "valid_from",
    "valid_until",
    "quota_count",
    "quota_interval",
    "quota_unit",
    "declaration_schedule",
    "declaration_due_days",
    "delete_within_days",
    "anonymize_required",
)


class GrantTerms(models.Model):
    """What a grant allows, shared by the grant, its versions (and later, requests for grants).

    ``actions`` and ``purposes`` are JSON lists of ODRL action and DPV purpose codes;
    JSON keeps them portable between SQLite and PostgreSQL (jsonb ``?`` in raw SQL).
    """

    actions = models.JSONField(_("actions"), default=list)
    purposes = models.JSONField(_("purposes"), default=list)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    quota_count = models.BigIntegerField(_("quota"), null=True, blank=True)
    quota_interval = models.CharField(_("quota interval"), max_length=10, choices=QuotaInterval.choices, default="month")
    quota_unit = models.CharField(_("quota unit"), max_length=10, choices=QuotaUnit.choices, default="records")
    declaration_schedule = models.CharField(
        _("declaration schedule"), max_length=20, choices=DeclarationSchedule.choices, default="monthly"
    )
    declaration_due_days = models.PositiveIntegerField(_("declaration due (days after period)"), default=10)
    delete_within_days = models.PositiveIntegerField(_("delete within (days after end)"), null=True, blank=True)
    anonymize_required = models.BooleanField(_("anonymization required"), default=False)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=F("valid_from")),
                name="%(class)s_valid_order",
            ),
            models.CheckConstraint(
                condition=Q(quota_count__isnull=True) | Q(quota_count__gte=0), name="%(class)s_quota_not_negative"
            ),
        ]


class DataUsePermission(GrantTerms):
    """A grant (ODRL permission, default deny): the current terms and status.

    Every change, of terms or of status, writes a PermissionVersion whose
    [effective_from, effective_to) range says when those terms were in force.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="permissions")
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="permissions")
    recipients = models.ManyToManyField(Organization, blank=True, related_name="+", verbose_name=_("recipients"))
    status = models.CharField(_("status"), max_length=20, choices=PermissionStatus.choices, default="active")
    status_reason = models.TextField(blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(GrantTerms.Meta):
        ordering = ["agreement", "dataset__code"]
        verbose_name = _("data-use permission")
        verbose_name_plural = _("data-use permissions")
        constraints = GrantTerms.Meta.constraints + [
            # One grant per dataset per agreement keeps "which grant covers this use" unambiguous.
            models.UniqueConstraint(fields=["agreement", "dataset"], name="permission_one_per_dataset"),
        ]

    def __str__(self):
        return f"{self.agreement.reference} / {self.dataset.code} v{self.version}"


class PermissionVersion(GrantTerms):
    permission = models.ForeignKey(DataUsePermission, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=PermissionStatus.choices)
    recipient_ids = models.JSONField(default=list)
    change = models.CharField(max_length=20)  # grant, change, suspend, reinstate, revoke
    reason = models.TextField(blank=True)
    effective_from = models.DateTimeField()
    effective_to = models.DateTimeField(null=True, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(GrantTerms.Meta):
        ordering = ["permission", "number"]
        constraints = GrantTerms.Meta.constraints + [
            models.UniqueConstraint(fields=["permission", "number"], name="permission_version_unique"),
        ]
        indexes = [models.Index(fields=["permission", "effective_from"])]
