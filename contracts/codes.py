"""Code lists of agreements, grants and usage (DESIGN section 3). The codes are public API."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgreementModel(models.TextChoices):
    BOT = "BOT", _("Build-operate-transfer")
    BOOT = "BOOT", _("Build-own-operate-transfer")
    BOO = "BOO", _("Build-own-operate")
    BTO = "BTO", _("Build-transfer-operate")
    TOT = "TOT", _("Transfer-operate-transfer")
    ROT = "ROT", _("Rehabilitate-operate-transfer")
    OM = "OM", _("Operation and maintenance")
    SERVICE = "SERVICE", _("Government purchase of services")
    CONCESSION = "CONCESSION", _("Concession")
    JV = "JV", _("Joint venture")
    OTHER = "OTHER", _("Other")


# Models whose assets are handed over to the government at the end.
TRANSFER_MODELS = frozenset({"BOT", "BOOT", "BTO", "TOT", "ROT"})


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")
    EXPIRED = "expired", _("Expired")
    TRANSFERRED = "transferred", _("Transferred")


FINAL_AGREEMENT_STATUSES = frozenset({"terminated", "expired", "transferred"})

# action name -> (allowed from-statuses, to-status)
AGREEMENT_TRANSITIONS = {
    "activate": ({"draft", "suspended"}, "active"),
    "suspend": ({"active"}, "suspended"),
    "terminate": ({"active", "suspended"}, "terminated"),
    "expire": ({"active"}, "expired"),
    "transfer": ({"active"}, "transferred"),
}


class PhaseKind(models.TextChoices):
    DESIGN = "design", _("Design")
    BUILD = "build", _("Build")
    OPERATE = "operate", _("Operate")
    TRANSFER = "transfer", _("Transfer")


class MilestoneKind(models.TextChoices):
    MILESTONE = "milestone", _("Milestone")
    OBLIGATION = "obligation", _("Obligation")


class MilestoneStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    MET = "met", _("Met")
    NOT_MET = "notMet", _("Not met")
    PARTIALLY_MET = "partiallyMet", _("Partially met")


class Grade(models.TextChoices):
    CORE = "core", _("Core data")
    IMPORTANT = "important", _("Important data")
    GENERAL = "general", _("General data")


class PersonalInfo(models.TextChoices):
    NONE = "none", _("No personal information")
    PERSONAL = "personal", _("Personal information")
    SENSITIVE = "sensitive", _("Sensitive personal information")


class Action(models.TextChoices):
    """ODRL 2.2 action names."""

    READ = "read", _("Read")
    AGGREGATE = "aggregate", _("Aggregate")
    ANONYMIZE = "anonymize", _("Anonymize")
    DERIVE = "derive", _("Derive")
    REPRODUCE = "reproduce", _("Reproduce")
    MODIFY = "modify", _("Modify")
    ARCHIVE = "archive", _("Archive")
    DISTRIBUTE = "distribute", _("Distribute")
    SELL = "sell", _("Sell")
    DELETE = "delete", _("Delete")


class Purpose(models.TextChoices):
    """W3C DPV purpose names."""

    PUBLIC_BENEFIT = "PublicBenefit", _("Public benefit")
    IMPROVE_PUBLIC_SERVICES = "ImprovePublicServices", _("Improve public services")
    PROVIDE_OFFICIAL_STATISTICS = "ProvideOfficialStatistics", _("Provide official statistics")
    PUBLIC_POLICY_MAKING = "PublicPolicyMaking", _("Public policy making")
    PROTECTION_OF_PUBLIC_SECURITY = "ProtectionOfPublicSecurity", _("Protection of public security")
    RESEARCH_AND_DEVELOPMENT = "ResearchAndDevelopment", _("Research and development")
    SCIENTIFIC_RESEARCH = "ScientificResearch", _("Scientific research")
    NON_COMMERCIAL_RESEARCH = "NonCommercialResearch", _("Non-commercial research")
    COMMERCIAL_RESEARCH = "CommercialResearch", _("Commercial research")
    SERVICE_PROVISION = "ServiceProvision", _("Service provision")
    LEGAL_COMPLIANCE = "LegalCompliance", _("Legal compliance")
    ENFORCE_SECURITY = "EnforceSecurity", _("Enforce security")
    COMMERCIAL_PURPOSE = "CommercialPurpose", _("Commercial purpose")
    MARKETING = "Marketing", _("Marketing")
    PERSONALISATION = "Personalisation", _("Personalisation")
    SELL_DATA_TO_THIRD_PARTIES = "SellDataToThirdParties", _("Sell data to third parties")


# ODRL isA: granting a parent purpose covers its children.
PURPOSE_PARENT = {
    "ImprovePublicServices": "PublicBenefit",
    "ProvideOfficialStatistics": "PublicBenefit",
    "PublicPolicyMaking": "PublicBenefit",
    "ProtectionOfPublicSecurity": "PublicBenefit",
    "ScientificResearch": "ResearchAndDevelopment",
    "NonCommercialResearch": "ResearchAndDevelopment",
    "CommercialResearch": "ResearchAndDevelopment",
    "Marketing": "CommercialPurpose",
    "Personalisation": "CommercialPurpose",
    "SellDataToThirdParties": "CommercialPurpose",
}


def purpose_covered(purpose: str, granted: list[str] | set[str]) -> bool:
    """True when ``purpose`` or one of its ancestors was granted."""
    current = purpose
    while current is not None:
        if current in granted:
            return True
        current = PURPOSE_PARENT.get(current)
    return False


def purposes_covered_by(granted) -> set[str]:
    """Every purpose a grant of ``granted`` covers (the grants plus their children)."""
    return {p for p in Purpose.values if purpose_covered(p, granted)}


class QuotaInterval(models.TextChoices):
    DAY = "day", _("per day")
    WEEK = "week", _("per week")
    MONTH = "month", _("per month")
    YEAR = "year", _("per year")
    TOTAL = "total", _("in total")


class QuotaUnit(models.TextChoices):
    RECORDS = "records", _("records")
    REQUESTS = "requests", _("requests")


class DeclarationSchedule(models.TextChoices):
    NONE = "none", _("No declaration duty")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


class PermissionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")


# action name -> (allowed from-statuses, to-status)
PERMISSION_TRANSITIONS = {
    "suspend": ({"active"}, "suspended"),
    "reinstate": ({"suspended"}, "active"),
    "revoke": ({"active", "suspended"}, "revoked"),
}


class Area(models.TextChoices):
    DATA_SECURITY = "data_security", _("Data security")
    PERSONAL_INFORMATION = "personal_information", _("Personal information protection")
    SYSTEM_OPERATION = "system_operation", _("System operation")
    INCIDENT_RESPONSE = "incident_response", _("Incident response")
    CONSTRUCTION = "construction", _("Construction")
    FINANCING = "financing", _("Financing")
    SERVICE_QUALITY = "service_quality", _("Service quality")
    DATA_QUALITY = "data_quality", _("Data quality")
    COMPLIANCE_REPORTING = "compliance_reporting", _("Compliance reporting")
    ASSET_TRANSFER = "asset_transfer", _("Asset transfer")


class Raci(models.TextChoices):
    RESPONSIBLE = "R", _("Responsible")
    ACCOUNTABLE = "A", _("Accountable")
    CONSULTED = "C", _("Consulted")
    INFORMED = "I", _("Informed")


class DeclarationStatus(models.TextChoices):
    PENDING = "pending", _("Pending check")
    CHECKED = "checked", _("Checked")


class ViolationKind(models.TextChoices):
    DATASET_NOT_PERMITTED = "dataset_not_permitted", _("Dataset not permitted")
    ACTION_NOT_PERMITTED = "action_not_permitted", _("Action not permitted")
    PURPOSE_NOT_PERMITTED = "purpose_not_permitted", _("Purpose not permitted")
    RECIPIENT_NOT_APPROVED = "recipient_not_approved", _("Recipient not approved")
    OUTSIDE_VALIDITY = "outside_validity", _("Outside the validity period")
    PERMISSION_INACTIVE = "permission_inactive", _("Permission inactive")
    AGREEMENT_INACTIVE = "agreement_inactive", _("Agreement inactive")
    QUOTA_EXCEEDED = "quota_exceeded", _("Quota exceeded")
    DECLARATION_MISSING = "declaration_missing", _("Declaration missing")
    UNDECLARED_USAGE = "undeclared_usage", _("Undeclared usage")


class GrantRequestKind(models.TextChoices):
    NEW = "new", _("New grant")
    CHANGE = "change", _("Change to a grant")


class GrantRequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending decision")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class GrantDecision(models.TextChoices):
    FULL = "full", _("Approved in full")
    NARROWED = "narrowed", _("Approved narrowed")


class RefusalReason(models.TextChoices):
    NOT_NECESSARY = "not_necessary", _("Not necessary for the agreed service")
    EXCEEDS_PURPOSE = "exceeds_purpose", _("Exceeds the purpose of the agreement")
    SECURITY_RISK = "security_risk", _("Data security risk")
    PERSONAL_INFORMATION = "personal_information", _("Personal information protection")
    LEGAL_BASIS_MISSING = "legal_basis_missing", _("No legal basis")
    OTHER = "other", _("Other")


# The rule an alert of each kind checks, in the reader's language. The alert keeps the rule as its
# check wrote it (in English, with its numbers) as evidence; pages show this label instead.
RULE_LABELS = {
    ViolationKind.DATASET_NOT_PERMITTED: _("The agreement has a grant for the dataset."),
    ViolationKind.ACTION_NOT_PERMITTED: _("Every action is among the granted actions."),
    ViolationKind.PURPOSE_NOT_PERMITTED: _("The purpose, or a parent of it, is granted."),
    ViolationKind.RECIPIENT_NOT_APPROVED: _("Every onward recipient is among the grant's recipients."),
    ViolationKind.OUTSIDE_VALIDITY: _("Use lies within the grant's validity."),
    ViolationKind.PERMISSION_INACTIVE: _("The grant was active (not suspended or revoked)."),
    ViolationKind.AGREEMENT_INACTIVE: _("The agreement was active when the data was used."),
    ViolationKind.QUOTA_EXCEEDED: _("Records (or requests) in a quota interval stay within the quota."),
    ViolationKind.DECLARATION_MISSING: _("A declaration is submitted for each period by its due date."),
    ViolationKind.UNDECLARED_USAGE: _("Observed records in a period stay within the declared records plus the tolerance."),
    # Alert kinds of notifications (contracts may not import them), by their codes.
    "responsibility_gap": _("An active agreement has an accountable party for every area an alert touches."),
    "permission_expiring": _("Grants about to end are announced 30, 7 and 0 days before."),
    "agreement_expiring": _("Agreements about to end are announced 30, 7 and 0 days before."),
    "dead_letter": _("A background job is given up after too many deliveries."),
    "channel_disabled": _("A channel is disabled after too many notifications in a row fail."),
    "grant_request_overdue": _("A grant request is decided within the set number of days."),
}
