"""What the scope check reports: one ``Finding`` per rule broken per grant and interval."""

import dataclasses
import datetime

from django.utils import timezone

from contracts.codes import Area
from contracts.models import Agreement, ResponsibilityAssignment
from contracts.selectors.grants import accountable_at

# Scope violations touch data security, and personal information protection as well
# when the dataset holds personal information (DESIGN section 5). The last area listed
# is the most specific one: its accountable party is the one the alert names.
SCOPE_AREAS = (Area.DATA_SECURITY.value,)
PERSONAL_SCOPE_AREAS = (Area.DATA_SECURITY.value, Area.PERSONAL_INFORMATION.value)


@dataclasses.dataclass
class Finding:
    kind: str
    agreement_id: int
    dataset_id: int | None
    permission_id: int | None = None
    permission_version: int | None = None
    interval: str = ""  # "2026-10-01/2026-10-31" (a declaration period) or "month:2026-10-01" (a quota bucket)
    rule: str = ""
    allowed: object = None
    observed: object = None
    evidence: dict = dataclasses.field(default_factory=dict)
    accountable_party_id: int | None = None
    area: str = ""  # the touched area whose accountable party is named
    gap_areas: list = dataclasses.field(default_factory=list)  # touched areas with no accountable party
    at: str = ""  # ISO instant the finding is about (for routing "at that time")

    def __post_init__(self):
        self.kind = str(self.kind)  # a plain code, not the TextChoices member, in JSON and logs

    @property
    def dedup_key(self) -> str:
        subject = f"p{self.permission_id}" if self.permission_id else f"d{self.dataset_id}"
        return f"{self.kind}:a{self.agreement_id}:{subject}:{self.interval}"

    def as_dict(self) -> dict:
        return dataclasses.asdict(self) | {"dedup_key": self.dedup_key}


def touched_areas(personal_info: str) -> tuple:
    return PERSONAL_SCOPE_AREAS if personal_info != "none" else SCOPE_AREAS


@dataclasses.dataclass(frozen=True)
class AgreementParties:
    """What naming the accountable party needs of an agreement (its partner answers by default)."""

    pk: int
    partner_id: int


class AccountableIndex:
    """Accountable (``A``) assignments of some agreements, loaded once, for many lookups at many instants.

    Plain rows, not model instances: the scan over events asks it about hundreds of
    agreements at a time, where building instances cost more than the queries.
    """

    def __init__(self, agreement_ids):
        agreement_ids = set(agreement_ids)
        self.rows: dict = {}
        self.agreements = {
            pk: AgreementParties(pk, partner_id)
            for pk, partner_id in Agreement.objects.filter(pk__in=agreement_ids).values_list("pk", "partner_id")
        }
        qs = ResponsibilityAssignment.objects.filter(agreement_id__in=agreement_ids, raci="A")
        for agreement_id, area, party_id, start, end in qs.values_list(
            "agreement_id", "area", "party_id", "valid_from", "valid_to"
        ):
            self.rows.setdefault((agreement_id, area), []).append((start, end, party_id))

    def party_at(self, agreement_id: int, area: str, at: datetime.datetime) -> int | None:
        for start, end, party_id in self.rows.get((agreement_id, area), ()):
            if start <= at and (end is None or end > at):
                return party_id
        return None


def attach_accountability(
    findings: list[Finding],
    *,
    agreement,
    personal_info: str,
    at: datetime.datetime,
    areas: tuple = (),
    index: AccountableIndex | None = None,
) -> None:
    """Name the accountable party at ``at``: the most specific touched area's, else the partner's."""
    if not findings:
        return
    areas = areas or touched_areas(personal_info)
    if index is None:
        found = {area: getattr(accountable_at(agreement.pk, area, at), "party_id", None) for area in areas}
    else:
        found = {area: index.party_at(agreement.pk, area, at) for area in areas}
    gaps = [area for area in areas if found[area] is None]
    party_id, area_named = agreement.partner_id, ""
    for area in reversed(areas):
        if found[area] is not None:
            party_id, area_named = found[area], area
            break
    for finding in findings:
        finding.accountable_party_id = party_id
        finding.area = area_named
        finding.gap_areas = gaps
        finding.at = at.isoformat()


def local_day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def local_day_end(day: datetime.date) -> datetime.datetime:
    """The last instant of a local day: who answered for a day is named then, not the next morning."""
    return local_day_start(day + datetime.timedelta(days=1)) - datetime.timedelta(microseconds=1)


def last_local_day(until: datetime.datetime) -> datetime.date:
    """The last local day before an exclusive end instant (until midnight: the day before)."""
    return timezone.localdate(until - datetime.timedelta(microseconds=1))
