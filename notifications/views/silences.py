"""Silences: mute notifications for matching alerts for a while (the alerts are still recorded)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.selectors.agreements import agreements_visible_to
from notifications.codes import ALERT_KIND_CHOICES, Severity
from notifications.forms.settings import SilenceForm
from notifications.selectors import silences_visible_to
from notifications.services.silences import silence_create
from partnerships.codes import Role
from partnerships.errors import ConflictError
from partnerships.models import Organization
from partnerships.views.forms import apply_service_error, posted
from partnerships.views.membership import page_actor


def _describe(silence, agreements: dict, partners: dict) -> list[str]:
    names = {"kind": dict(ALERT_KIND_CHOICES), "severity": dict(Severity.choices)}
    out = []
    for key, value in sorted(silence.matchers.items()):
        if key == "agreement":
            out.append(f"{_('Agreement')}: {agreements.get(value, value)}")
        elif key == "partner":
            out.append(f"{_('Partner')}: {partners.get(value, value)}")
        elif key in names:
            out.append(f"{_('Kind') if key == 'kind' else _('Severity')}: {names[key].get(value, value)}")
        else:
            out.append(f"{key}: {value}")
    return out


@login_required
def silence_list(request):
    actor = page_actor(request)
    silences = list(silences_visible_to(actor).order_by("-ends_at", "-id")[:200])
    agreements = {str(pk): ref for pk, ref in agreements_visible_to(actor).values_list("pk", "reference")}
    partners = {str(pk): name for pk, name in Organization.objects.values_list("pk", "name")}
    now = timezone.now()
    for silence in silences:
        silence.described = _describe(silence, agreements, partners)
        silence.active = silence.starts_at <= now < silence.ends_at
    return render(
        request,
        "notifications/silence_list.html",
        {"silences": silences, "can_create": actor.is_admin or actor.has_role(Role.SUPERVISOR)},
    )


@login_required
def silence_create_view(request):
    actor = page_actor(request)
    if not (actor.is_admin or actor.has_role(Role.SUPERVISOR)):
        raise PermissionDenied
    now = timezone.localtime().replace(second=0, microsecond=0)
    initial = {"starts_at": now, "ends_at": now + datetime.timedelta(hours=24)}
    for name in ("kind", "severity", "agreement", "partner"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    form = SilenceForm(posted(request), agreements=agreements_visible_to(actor), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            silence_create(
                actor=actor,
                matchers=form.matchers(),
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, ConflictError) as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Silence created."))
            return redirect("notifications:silence-list")
    return render(request, "notifications/silence_form.html", {"form": form})
