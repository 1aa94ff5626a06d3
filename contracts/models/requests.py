"""A partner's request for a grant or for a change to one (an ODRL ``Request``).

The request carries the same terms as a grant (``GrantTerms``), so what is
asked can be compared field by field with what is granted, and an approval can
be checked to stay within what was asked. A request points at the grant
version its approval produced; that version reads back as
``version.grant_request``, so every approved scope links to its request.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.codes import GrantDecision, GrantRequestKind, GrantRequestStatus, RefusalReason
from contracts.models.agreements import Agreement, StoredUpload
from contracts.models.datasets import Dataset
from contracts.models.permissions import DataUsePermission, GrantTerms, PermissionVersion
from partnerships.models import Organization


class GrantRequest(GrantTerms):
    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="grant_requests", verbose_name=_("agreement")
    )
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="grant_requests", verbose_name=_("dataset"))
    kind = models.CharField(_("kind"), max_length=10, choices=GrantRequestKind.choices)
    # The grant a change request would change, and its version when asked:
    # approving against a grant whose terms moved since would overwrite that move.
    permission = models.ForeignKey(
        DataUsePermission,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grant_requests",
        verbose_name=_("grant"),
    )
    base_version = models.PositiveIntegerField(null=True, blank=True)
    recipients = models.ManyToManyField(Organization, blank=True, related_name="+", verbose_name=_("recipients"))
    justification = models.TextField(_("justification"))
    status = models.CharField(
        _("status"), max_length=20, choices=GrantRequestStatus.choices, default=GrantRequestStatus.PENDING
    )
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=GrantDecision.choices, blank=True)
    narrowed_fields = models.JSONField(default=list, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    refusal_reason = models.CharField(_("refusal reason"), max_length=30, choices=RefusalReason.choices, blank=True)
    refusal_text = models.TextField(_("refusal explanation"), blank=True)
    resulting_version = models.OneToOneField(
        PermissionVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grant_request",
        verbose_name=_("resulting grant version"),
    )
    # Set when the request was filed from an alert; a plain id so that contracts
    # does not depend on notifications (imports point the other way).
    from_alert_id = models.BigIntegerField(null=True, blank=True)
    overdue_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta(GrantTerms.Meta):
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("grant request")
        verbose_name_plural = _("grant requests")
        constraints = GrantTerms.Meta.constraints + [
            models.CheckConstraint(
                # A new-grant request gets its grant only when approved.
                condition=Q(kind="new", status__in=["approved", "refused", "withdrawn"])
                | Q(kind="new", permission__isnull=True)
                | Q(kind="change", permission__isnull=False),
                name="grant_request_change_names_grant",
            ),
            models.CheckConstraint(
                # Nothing is granted without a recorded decision, and no decision without its record.
                condition=(
                    (Q(status="approved", decided_at__isnull=False, resulting_version__isnull=False) & ~Q(decision=""))
                    | (Q(status="refused", decided_at__isnull=False, resulting_version__isnull=True)
                       & ~Q(refusal_reason=""))
                    | Q(status__in=["pending", "withdrawn"], resulting_version__isnull=True)
                ),
                name="grant_request_decision_recorded",
            ),
            # One open question per grant and per dataset: two pending requests
            # over the same grant would overwrite each other when approved.
            models.UniqueConstraint(
                fields=["permission"],
                condition=Q(status="pending", kind="change"),
                name="grant_request_one_pending_change",
            ),
            models.UniqueConstraint(
                fields=["agreement", "dataset"],
                condition=Q(status="pending", kind="new"),
                name="grant_request_one_pending_new",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["agreement", "dataset", "status"]),
        ]

    def __str__(self):
        return f"#{self.pk} {self.agreement.reference} / {self.dataset.code} ({self.status})"


class GrantRequestComment(models.Model):
    """A question or answer in the thread both sides see."""

    request = models.ForeignKey(GrantRequest, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=12)  # "partner" or "government": who spoke, as the other side sees it
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


def attachment_path(instance, filename):
    return f"grant-requests/{instance.request_id}/{instance.sha256[:2]}/{instance.sha256}-{filename}"


class GrantRequestAttachment(StoredUpload, models.Model):
    request = models.ForeignKey(GrantRequest, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(upload_to=attachment_path, max_length=500)
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField()
    content_type = models.CharField(max_length=100, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
