"""Alerts, notifications, silences and channels a person may see (DESIGN section 2).

Supervisors and auditors see the alerts of their jurisdiction; the government
party's officers see their agreements' alerts; a partner sees the alerts about
itself or naming it accountable, never another partner's; administrators see all.
"""

from django.db.models import Q, QuerySet

from notifications.models import Alert, Channel, EscalationPolicy, Notification, Silence
from partnerships.actors import Actor
from partnerships.codes import Role


def alert_visibility_q(actor: Actor) -> Q:
    if actor.is_admin:
        return Q()
    q = Q(owner_id=actor.user.pk)
    for prefix in actor.regions(Role.SUPERVISOR, Role.AUDITOR):
        q |= Q(government__region_code__startswith=prefix)
    officer_orgs = actor.org_ids(Role.OFFICER)
    if officer_orgs:
        q |= Q(government_id__in=officer_orgs) | Q(accountable_party_id__in=officer_orgs)
    partner_orgs = actor.org_ids(Role.PARTNER)
    if partner_orgs:
        q |= Q(partner_id__in=partner_orgs) | Q(accountable_party_id__in=partner_orgs)
    return q


def alerts_visible_to(actor: Actor) -> QuerySet[Alert]:
    return Alert.objects.filter(alert_visibility_q(actor)).select_related(
        "agreement", "dataset", "government", "partner", "accountable_party"
    )


def inbox_of(actor: Actor) -> QuerySet[Notification]:
    # No channel means the inbox. That holds because a channel with messages is never removed
    # (the foreign key RESTRICTs it; channel_delete keeps the row, marked deleted), so a channel's
    # copy of an alert never loses its channel and shows up here beside the inbox's own copy.
    return Notification.objects.filter(user_id=actor.user.pk, channel__isnull=True).select_related("alert")


def silences_visible_to(actor: Actor) -> QuerySet[Silence]:
    if actor.is_admin:
        return Silence.objects.all()
    regions = actor.regions(Role.SUPERVISOR, Role.AUDITOR)
    q = Q(author_id=actor.user.pk) if actor.has_role(Role.SUPERVISOR) else Q(pk__in=[])
    for prefix in regions:
        # Any of the silence's prefixes within the person's jurisdiction. On the JSON text
        # ["32", "33"] (both databases), so one condition per prefix, without a join.
        q |= Q(region_prefixes__icontains=f'"{prefix}')
    return Silence.objects.filter(q).select_related("author")


def channels_visible_to(actor: Actor) -> QuerySet[Channel]:
    qs = Channel.objects.filter(deleted_at__isnull=True).select_related("owner")
    return qs if actor.is_admin else qs.filter(owner_id=actor.user.pk)


def escalation_policies_visible_to(actor: Actor) -> QuerySet[EscalationPolicy]:
    if actor.is_admin or actor.has_role(Role.SUPERVISOR, Role.AUDITOR):
        return EscalationPolicy.objects.prefetch_related("recipients")
    return EscalationPolicy.objects.none()
