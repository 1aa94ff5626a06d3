"""The alert inbox, one alert with its evidence, and answering it (acknowledge, resolve, dismiss)."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from contracts.selectors.agreements import agreements_visible_to, can_declare_for
from contracts.selectors.grant_requests import grant_requests_covering
from notifications.codes import LIVE_ALERT_STATUSES
from notifications.forms.alerts import LIVE, AcknowledgeForm, AlertFilterForm, DismissForm, ResolveForm
from notifications.selectors import alerts_visible_to
from notifications.services.alerts import alert_acknowledge, alert_dismiss, alert_resolve, may_answer
from partnerships.actors import Actor
from partnerships.codes import Role
from partnerships.errors import ConflictError
from partnerships.views.forms import apply_service_error
from partnerships.views.membership import page_actor

PAGE_SIZE = 25
# "Any" status needs a value of its own: a blank status is what every link without one sends (the
# next page, the home page's "Critical: N"), and that must keep to live alerts.
ANY_STATUS = "all"
# Critical first, then by when it was last seen.
SEVERITY_RANK = Case(
    When(severity="critical", then=Value(0)), When(severity="warning", then=Value(1)), default=Value(2),
    output_field=IntegerField(),
)
ANSWERS = {
    "acknowledge": (AcknowledgeForm, lambda actor, alert, data: alert_acknowledge(actor=actor, alert=alert, comment=data["comment"])),
    "resolve": (ResolveForm, lambda actor, alert, data: alert_resolve(actor=actor, alert=alert, comment=data["comment"])),
    "dismiss": (DismissForm, lambda actor, alert, data: alert_dismiss(actor=actor, alert=alert, reason=data["reason"])),
}
DONE_MESSAGES = {
    "acknowledge": _("Alert acknowledged."),
    "resolve": _("Alert resolved."),
    "dismiss": _("Alert dismissed."),
}


def filtered_alerts(actor: Actor, params):
    """The visible alerts matching the inbox filters (live ones unless asked otherwise)."""
    form = AlertFilterForm(params or None, agreements=agreements_visible_to(actor))
    status_field = form.fields["status"]
    status_field.choices = [(value or ANY_STATUS, label) for value, label in status_field.choices]
    qs = alerts_visible_to(actor)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    status = data.get("status") or LIVE
    if status == LIVE:
        qs = qs.filter(status__in=LIVE_ALERT_STATUSES)
    elif status != ANY_STATUS:
        qs = qs.filter(status=status)
    for name in ("severity", "kind"):
        if data.get(name):
            qs = qs.filter(**{name: data[name]})
    if data.get("agreement"):
        qs = qs.filter(agreement=data["agreement"])
    return form, qs.annotate(rank=SEVERITY_RANK).order_by("rank", "-last_seen", "-id")


def may_resolve(actor: Actor, alert) -> bool:
    if actor.is_admin:
        return True
    region = alert.government.region_code if alert.government_id else None
    return region is not None and any(region.startswith(p) for p in actor.regions(Role.SUPERVISOR))


@login_required
def alert_list(request):
    actor = page_actor(request)
    form, qs = filtered_alerts(actor, request.GET)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/alert_list.html", {"form": form, "page": page})


def _ask_query(actor, alert) -> str:
    if alert.agreement is None or not can_declare_for(actor, alert.agreement):
        return ""
    if alert.permission_id:
        return f"permission={alert.permission_id}"
    return f"agreement={alert.agreement_id}"


def _detail_context(actor, alert, forms=None):
    forms = forms or {}
    live = alert.status in LIVE_ALERT_STATUSES
    supervisor = may_resolve(actor, alert)
    return {
        "alert": alert,
        "related_requests": grant_requests_covering(
            actor,
            agreement_id=alert.agreement_id,
            dataset_id=alert.dataset_id,
            kind=alert.kind,
            allowed=alert.allowed,
            observed=alert.observed,
            alert_id=alert.pk,
        ),
        # The partner answering an alert may ask for the use it found (a change to the grant, or a new one).
        "ask_query": _ask_query(actor, alert),
        "events": alert.events.select_related("actor"),
        "evidence_json": json.dumps(alert.evidence, ensure_ascii=False, indent=2, sort_keys=True, default=str),
        # Links only to pages the reader can open: an accountable third party may see the alert, not the agreement.
        "agreement_visible": alert.agreement_id is not None
        and agreements_visible_to(actor).filter(pk=alert.agreement_id).exists(),
        "acknowledge_form": forms.get("acknowledge", AcknowledgeForm())
        if alert.status == "open" and may_answer(actor, alert)
        else None,
        "resolve_form": forms.get("resolve", ResolveForm()) if live and supervisor else None,
        "dismiss_form": forms.get("dismiss", DismissForm()) if live and supervisor else None,
    }


@login_required
def alert_detail(request, pk):
    actor = page_actor(request)
    alert = get_object_or_404(alerts_visible_to(actor), pk=pk)
    return render(request, "notifications/alert_detail.html", _detail_context(actor, alert))


@login_required
@require_POST
def alert_answer(request, pk, answer):
    actor = page_actor(request)
    alert = get_object_or_404(alerts_visible_to(actor), pk=pk)
    if answer not in ANSWERS:
        return redirect("notifications:alert-detail", pk=alert.pk)
    form_class, service = ANSWERS[answer]
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(actor, alert, form.cleaned_data)
        except ValidationError as exc:
            apply_service_error(form, exc)
        except ConflictError as exc:
            messages.error(request, exc.message)
            return redirect("notifications:alert-detail", pk=alert.pk)
        else:
            messages.success(request, DONE_MESSAGES[answer])
            return redirect("notifications:alert-detail", pk=alert.pk)
    context = _detail_context(actor, alert, forms={answer: form})
    return render(request, "notifications/alert_detail.html", context, status=400)
