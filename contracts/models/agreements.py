import os
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from contracts.codes import AgreementModel, AgreementStatus, MilestoneKind, MilestoneStatus, PhaseKind
from partnerships.models import Organization, Partnership

# The terms an amendment may change; each version keeps a snapshot of them.
AMENDABLE_TERMS = ("title", "model", "signed_on", "starts_on", "ends_on", "value", "currency", "description")


class Agreement(models.Model):
    reference = models.CharField(_("reference"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=300)
    model = models.CharField(_("model"), max_length=20, choices=AgreementModel.choices)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, null=True, blank=True, related_name="agreements"
    )
    government = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="agreements_as_government", verbose_name=_("government party")
    )
    partner = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="agreements_as_partner", verbose_name=_("partner party")
    )
    description = models.TextField(_("description"), blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    value = models.DecimalField(
        _("value"), max_digits=18, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    status = models.CharField(_("status"), max_length=20, choices=AgreementStatus.choices, default="draft")
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="agreement_ends_after_start"),
            models.CheckConstraint(condition=Q(value__gte=0), name="agreement_value_not_negative"),
            models.CheckConstraint(condition=~Q(government=F("partner")), name="agreement_two_parties"),
        ]
        indexes = [models.Index(fields=["status"]), models.Index(fields=["ends_on"])]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def terms(self) -> dict:
        """The amendable terms as JSON-ready values, for version snapshots."""
        out = {}
        for name in AMENDABLE_TERMS:
            value = getattr(self, name)
            out[name] = value.isoformat() if hasattr(value, "isoformat") else (str(value) if isinstance(value, Decimal) else value)
        return out


class AgreementTransition(models.Model):
    """One status change: who, when, from, to and why."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=AgreementStatus.choices)
    to_status = models.CharField(max_length=20, choices=AgreementStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    reason = models.TextField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]


class AgreementVersion(models.Model):
    """Version 1 is the agreement as created; each amendment adds the next version."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    rationale = models.TextField(blank=True)
    effective_on = models.DateField()
    terms = models.JSONField()
    changes = models.JSONField(default=dict, help_text="field -> [before, after]")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agreement", "number"]
        constraints = [models.UniqueConstraint(fields=["agreement", "number"], name="agreement_version_unique")]


class Phase(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(max_length=20, choices=PhaseKind.choices)
    planned_start = models.DateField(null=True, blank=True)
    planned_end = models.DateField(null=True, blank=True)
    actual_start = models.DateField(null=True, blank=True)
    actual_end = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["agreement", "planned_start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "kind"], name="phase_unique_kind"),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True) | Q(planned_start__isnull=True) | Q(planned_end__gte=F("planned_start")),
                name="phase_planned_order",
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True) | Q(actual_start__isnull=True) | Q(actual_end__gte=F("actual_start")),
                name="phase_actual_order",
            ),
        ]


class Milestone(models.Model):
    """A milestone or an obligation, with the party that must meet it."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(max_length=20, choices=MilestoneKind.choices, default="milestone")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    due_on = models.DateField()
    responsible = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=MilestoneStatus.choices, default="scheduled")
    met_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["agreement", "due_on", "id"]


def document_path(instance, filename):
    return f"agreements/{instance.agreement_id}/{instance.sha256[:2]}/{instance.sha256}-{filename}"


class StoredUpload:
    """An uploaded file stored as "<sha256>-<name>": the name the uploader gave it, for downloads."""

    @property
    def original_name(self) -> str:
        stored = os.path.basename(self.file.name)
        return stored[65:] if stored.startswith(self.sha256 + "-") else stored


class Document(StoredUpload, models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="documents")
    version = models.ForeignKey(
        AgreementVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    title = models.CharField(max_length=300)
    document_type = models.CharField(max_length=64, default="contractSigned")
    file = models.FileField(upload_to=document_path, max_length=500)
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField()
    content_type = models.CharField(max_length=100, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agreement", "uploaded_at", "id"]
