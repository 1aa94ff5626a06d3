"""Each role's home page: what that person has to look at first.

It lives in notifications because officers, partners and supervisors all see
alerts there, and notifications may import contracts and partnerships.
"""

import datetime

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone

from contracts.codes import AgreementStatus
from contracts.selectors.agreements import agreements_managed_by, agreements_visible_to
from contracts.selectors.duties import DUE, MISSING
from contracts.selectors.grants import permissions_visible_to
from contracts.views.duties import duties_for
from notifications.codes import LIVE_ALERT_STATUSES
from notifications.selectors import alerts_visible_to
from notifications.views.alerts import SEVERITY_RANK
from partnerships.actors import Actor
from partnerships.views.membership import current_role, page_actor

EXPIRY_WINDOW_DAYS = 30
LIST_LIMIT = 10


def _expiring_grants(actor: Actor, agreements):
    now = timezone.now()
    return (
        permissions_visible_to(actor)
        .filter(
            agreement__in=agreements,
            status="active",
            valid_until__gt=now,
            valid_until__lte=now + datetime.timedelta(days=EXPIRY_WINDOW_DAYS),
        )
        .order_by("valid_until")
    )


def live_alerts(actor: Actor, limit: int = LIST_LIMIT) -> list:
    qs = alerts_visible_to(actor).filter(status__in=LIVE_ALERT_STATUSES)
    return list(qs.annotate(rank=SEVERITY_RANK).order_by("rank", "-last_seen", "-id")[:limit])


def officer_context(actor: Actor) -> dict:
    managed = agreements_managed_by(actor).select_related("government", "partner")
    return {
        "agreements": managed.exclude(status="draft").order_by("ends_on")[:LIST_LIMIT],
        "drafts": managed.filter(status="draft").order_by("-created_at"),
        "expiring_grants": _expiring_grants(actor, managed),
        "duties": duties_for(actor, agreements=managed, statuses=(MISSING,)),
        "duties_title": "missing",
        "alerts": live_alerts(actor),
    }


def partner_context(actor: Actor) -> dict:
    visible = agreements_visible_to(actor)
    return {
        "agreements": visible.order_by("ends_on")[:LIST_LIMIT],
        "grants": permissions_visible_to(actor).filter(status="active").order_by("valid_until")[:LIST_LIMIT],
        "expiring_grants": _expiring_grants(actor, visible),
        "duties": duties_for(actor, agreements=visible, statuses=(MISSING, DUE)),
        "duties_title": "open",
        "alerts": live_alerts(actor),
    }


def overview_context(actor: Actor) -> dict:
    visible = agreements_visible_to(actor)
    counts = dict(visible.values_list("status").annotate(n=Count("id")).order_by())
    return {
        "status_counts": [(code, label, counts.get(code, 0)) for code, label in AgreementStatus.choices],
        "agreements": visible.order_by("-updated_at")[:LIST_LIMIT],
        "ending_soon": visible.filter(
            status="active", ends_on__lte=timezone.localdate() + datetime.timedelta(days=EXPIRY_WINDOW_DAYS)
        ).order_by("ends_on"),
    }


@login_required
def home(request):
    actor = page_actor(request)
    role = current_role(request)
    if role == "officer":
        context, template = officer_context(actor), "notifications/home_officer.html"
    elif role == "partner":
        context, template = partner_context(actor), "notifications/home_partner.html"
    elif role == "supervisor":
        context, template = overview_context(actor), "notifications/home_supervisor.html"
        live = alerts_visible_to(actor).filter(status__in=LIVE_ALERT_STATUSES)
        context["alerts"] = live_alerts(actor, limit=20)
        context["alert_counts"] = dict(live.values_list("severity").annotate(n=Count("id")).order_by())
    else:  # auditors, administrators, and people with no membership yet
        context, template = overview_context(actor), "notifications/home_auditor.html"
    context["role"] = role
    return render(request, template, context)
