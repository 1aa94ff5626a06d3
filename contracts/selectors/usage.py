"""Reads of usage evidence: declarations, and the maps event ingestion checks lines against."""

from django.db.models import Q, QuerySet

from contracts.models import Agreement, Dataset, UsageDeclaration
from contracts.selectors.agreements import agreement_visibility_q
from partnerships.actors import Actor
from partnerships.codes import Role
from partnerships.models import Organization


def declarations_visible_to(actor: Actor) -> QuerySet[UsageDeclaration]:
    """Scoped like agreements: partners their own, officers their agency's, supervisors and
    auditors their jurisdiction's."""
    return (
        UsageDeclaration.objects.filter(agreement_visibility_q(actor, "agreement__"))
        .select_related("agreement", "dataset", "submitted_by", "superseded_by")
        .prefetch_related("recipients")
    )


def agreements_reporting_usage_by(actor: Actor) -> QuerySet[Agreement]:
    """Agreements whose observed usage the person may send: the partner's own (its gateway
    logs), and those of the officer's agency (the government's data-exchange platform)."""
    if actor.is_admin:
        return Agreement.objects.all()
    return Agreement.objects.filter(
        Q(partner_id__in=actor.org_ids(Role.PARTNER)) | Q(government_id__in=actor.org_ids(Role.OFFICER))
    )


def _id_or_code_keys(rows) -> dict:
    """{code: id, id: id, "id": id}: ids win over a code that looks like another id,
    as in IdOrCodeRelatedField."""
    keys = {}
    pairs = list(rows)
    for pk, code in pairs:
        keys[code] = pk
    for pk, _code in pairs:
        keys[pk] = pk
        keys[str(pk)] = pk
    return keys


def agreement_keys_for_usage(actor: Actor) -> dict:
    return _id_or_code_keys(agreements_reporting_usage_by(actor).values_list("pk", "reference"))


def dataset_keys() -> dict:
    """The whole catalogue: an event naming a dataset outside the grants is evidence, not an error."""
    return _id_or_code_keys(Dataset.objects.values_list("pk", "code"))


def organization_keys() -> dict:
    """Every organization by id and credit code: recipients are resolved in memory, because
    no query may run on the connection while its COPY is open (and one per line would be slow)."""
    return _id_or_code_keys(Organization.objects.values_list("pk", "credit_code"))
