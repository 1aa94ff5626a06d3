"""Recording an agreement's phases and its milestones and obligations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from contracts.codes import PhaseKind
from contracts.forms.parts import MilestoneForm, PhaseForm
from contracts.services.agreement_parts import milestone_add, phase_set
from contracts.views.common import managed_agreement
from partnerships.errors import ConflictError
from partnerships.models import Organization
from partnerships.views.forms import apply_service_error, posted
from partnerships.views.membership import page_actor


def _form_page(request, agreement, form, title, submit):
    return render(
        request, "contracts/agreement_part_form.html", {"form": form, "agreement": agreement, "title": title, "submit": submit}
    )


@login_required
def phase_edit(request, pk):
    actor = page_actor(request)
    agreement = managed_agreement(request, pk)
    initial = {}
    kind = request.GET.get("kind")
    phase = agreement.phases.filter(kind=kind).first() if kind in PhaseKind.values else None
    if phase is not None:
        initial = {name: getattr(phase, name) for name in ("kind", "planned_start", "planned_end", "actual_start", "actual_end")}
    form = PhaseForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            phase_set(actor=actor, agreement=agreement, **form.cleaned_data)
        except (ValidationError, ConflictError) as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Phase recorded."))
            return redirect("contracts:agreement-detail", pk=agreement.pk)
    return _form_page(request, agreement, form, _("Record a phase"), _("Save"))


@login_required
def milestone_create(request, pk):
    actor = page_actor(request)
    agreement = managed_agreement(request, pk)
    parties = Organization.objects.filter(pk__in=[agreement.government_id, agreement.partner_id])
    form = MilestoneForm(posted(request), parties=parties)
    if request.method == "POST" and form.is_valid():
        try:
            milestone_add(actor=actor, agreement=agreement, **form.cleaned_data)
        except (ValidationError, ConflictError) as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Milestone added."))
            return redirect("contracts:agreement-detail", pk=agreement.pk)
    return _form_page(request, agreement, form, _("Add a milestone or obligation"), _("Add"))
