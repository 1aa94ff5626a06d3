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


class AuditEntry(models.Model):
    """One write or login, appended to a hash chain (see partnerships/audit/chain.py).

    ``seq`` is the primary key, so every column of the row is covered by its hash:
    there is no unhashed id an editor could change. Actor and organization are
    plain columns without database constraints: the trail must outlive the users
    and organizations it names, and no cascade may ever touch it. PostgreSQL
    refuses UPDATE and DELETE on this table (migration 0002).
    """

    seq = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_username = models.CharField(_("actor username"), max_length=150, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organization"),
    )
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64, unique=True)  # unique: the chain can never fork
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor", "at"], name="audit_actor_idx"),
            models.Index(fields=["at"], name="audit_at_idx"),
        ]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """The chain head as seen by the daily job: entries up to ``seq`` may never
    disappear or change, so a truncated tail is caught even when it is the last part."""

    seq = models.BigIntegerField()
    hash = models.CharField(max_length=64)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-seq", "-id"]


class AuditChainTip(models.Model):
    """A single row holding the newest seq and hash.

    Every append updates it first, which serialises appends on both databases
    (a row lock on PostgreSQL, the write lock on SQLite) and saves a search for
    the last entry. It is not trusted by the verifier beyond one check: a tip
    ahead of the last entry means the tail was cut.
    """

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    updated_at = models.DateTimeField(auto_now=True)
