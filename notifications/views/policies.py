"""Escalation policies: who is told, per severity and level, when an alert stays unacknowledged."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from notifications.forms.settings import EscalationPolicyForm
from notifications.selectors import escalation_policies_visible_to
from notifications.services.channels import escalation_policy_create
from partnerships.codes import Role
from partnerships.errors import ConflictError
from partnerships.views.forms import apply_service_error, posted
from partnerships.views.membership import page_actor


@login_required
def policy_list(request):
    actor = page_actor(request)
    if not (actor.is_admin or actor.has_role(Role.SUPERVISOR, Role.AUDITOR)):
        raise PermissionDenied
    form = EscalationPolicyForm(posted(request)) if actor.is_admin else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                escalation_policy_create(actor=actor, **form.cleaned_data)
            except (ValidationError, ConflictError) as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Escalation level added."))
                return redirect("notifications:policy-list")
    policies = escalation_policies_visible_to(actor)
    return render(
        request,
        "notifications/policy_list.html",
        {"policies": policies, "form": form},
        status=400 if form is not None and form.errors else 200,
    )
