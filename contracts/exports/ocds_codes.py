"""How the tracker's codes map onto the OCDS for PPPs codelists.

The codelists are those of the PPP profile (1.0.0-beta4 patched onto OCDS 1.1.5);
closed codelists (contractStatus, riskAllocation, milestoneStatus, releaseTag)
must be matched exactly, open ones (partyRole, riskCategory, milestoneCode,
milestoneType, documentType) should use a listed code where one fits.
"""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

# Agreement status -> contractStatus (closed: pending active cancelled terminated).
# A suspended agreement is still signed and legally in force, so it stays "active";
# expiry and handover both bring a signed contract to a close, which OCDS calls
# "terminated" whatever the cause.
CONTRACT_STATUS = {
    "draft": "pending",
    "active": "active",
    "suspended": "active",
    "terminated": "terminated",
    "expired": "terminated",
    "transferred": "terminated",
}

# Agreement status -> awardStatus (closed: pending active cancelled unsuccessful).
AWARD_STATUS = {"draft": "pending"}  # every other status: the award was made, "active"

# Party roles (partyRole codelist, open). The government party pays and runs the
# procurement; the partner is the PPP profile's private party and, in core OCDS
# terms, the supplier the contract was awarded to.
GOVERNMENT_ROLES = ["buyer", "procuringEntity"]
PARTNER_ROLES = ["privateParty", "supplier"]

# Responsibility area -> riskCategory (open codelist). Closest fit, and why:
#
# | area                 | riskCategory           | why                                                  |
# |----------------------|------------------------|------------------------------------------------------|
# | data_security        | compliance             | duties under the Data Security Law and its rules      |
# | personal_information | compliance             | duties under PIPL                                    |
# | compliance_reporting | compliance             | regulatory reporting obligations                     |
# | system_operation     | availabilityAndQuality | the service's availability and performance targets   |
# | incident_response    | availabilityAndQuality | restoring the service after an incident              |
# | service_quality      | availabilityAndQuality | performance requirements and target levels           |
# | data_quality         | availabilityAndQuality | quality requirements on the data delivered           |
# | construction         | construction           | same meaning                                         |
# | financing            | financeAvailability    | finance not being available when needed              |
# | asset_transfer       | completion             | handing over finished assets as the contract requires |
#
# The area code itself is kept as the risk's id, so nothing is lost in the mapping.
RISK_CATEGORY = {
    "data_security": "compliance",
    "personal_information": "compliance",
    "compliance_reporting": "compliance",
    "system_operation": "availabilityAndQuality",
    "incident_response": "availabilityAndQuality",
    "service_quality": "availabilityAndQuality",
    "data_quality": "availabilityAndQuality",
    "construction": "construction",
    "financing": "financeAvailability",
    "asset_transfer": "completion",
}

# Accountable party -> riskAllocation (closed: publicAuthority privateParty undefined).
# The accountable (RACI "A") party is the one that retains the risk. The profile
# has no "shared" code: an area whose accountable party is a third organization,
# or that has no accountable party at all, is "undefined" and the notes say who
# is involved.
ALLOCATION_GOVERNMENT = "publicAuthority"
ALLOCATION_PARTNER = "privateParty"
ALLOCATION_UNDEFINED = "undefined"

# Phase boundaries -> milestoneCode (open codelist), where a PPP code fits.
# "commissioning" verifies the works are ready for commercial operation, which
# is what the start of the operate phase records.
PHASE_MILESTONE_CODES = {
    ("build", "start"): "commencement",
    ("build", "end"): "completion",
    ("operate", "start"): "commissioning",
}

# Milestone kind -> milestoneType (open codelist). Obligations are what a party
# must deliver under the contract, as milestones are; both are delivery milestones.
MILESTONE_TYPE = {"milestone": "delivery", "obligation": "delivery"}

# Organization identifiers: the 18-character Unified Social Credit Code.
# org-id.guide lists the enterprise register as CN-SAIC; public bodies get their
# codes from the establishment authorities, which org-id.guide does not list, so
# they are published under a descriptive scheme name.
IDENTIFIER_SCHEME = {"enterprise": "CN-SAIC", "spv": "CN-SAIC"}
PUBLIC_BODY_SCHEME = "CN-USCC"


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def start_of(day: datetime.date | None) -> str | None:
    """A date as the OCDS date-time of its first second, in the project's time zone."""
    if day is None:
        return None
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=_zone()).isoformat()


def end_of(day: datetime.date | None) -> str | None:
    """A date as its last second: OCDS's advice for end dates known only to the day."""
    if day is None:
        return None
    return datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=_zone()).isoformat()


def instant(at: datetime.datetime | None) -> str | None:
    if at is None:
        return None
    return timezone.localtime(at, _zone()).isoformat(timespec="seconds")
