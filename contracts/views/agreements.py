"""Agreement pages: the list, one agreement, registering, editing or amending it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from contracts.codes import AgreementModel, AgreementStatus
from contracts.forms.agreements import AgreementCreateForm, AmendmentForm, AgreementTermsForm, TransitionForm
from contracts.models.agreements import AMENDABLE_TERMS
from contracts.selectors.agreements import agreements_visible_to, can_manage_agreement
from contracts.services.agreements import agreement_amend, agreement_create, agreement_transition, agreement_update_draft
from contracts.views.common import managed_agreement, visible_agreement
from contracts.views.matrix import matrix_context
from partnerships.actors import Actor
from partnerships.codes import Role
from partnerships.errors import ConflictError
from partnerships.views.forms import apply_service_error, posted
from partnerships.views.membership import page_actor

PAGE_SIZE = 25


def search_agreements(actor: Actor, params) -> tuple:
    """The visible agreements matching the list's search box and filters."""
    qs = agreements_visible_to(actor).select_related("partnership")
    # PostgreSQL refuses a NUL in a text value; nobody types one, so it is dropped.
    q = (params.get("q") or "").replace("\x00", "").strip()
    if q:
        qs = qs.filter(
            Q(reference__icontains=q)
            | Q(title__icontains=q)
            | Q(government__name__icontains=q)
            | Q(partner__name__icontains=q)
        )
    status = params.get("status") or ""
    if status in AgreementStatus.values:
        qs = qs.filter(status=status)
    model = params.get("model") or ""
    if model in AgreementModel.values:
        qs = qs.filter(model=model)
    return qs.order_by("-created_at", "-id"), {"q": q, "status": status, "model": model}


@login_required
def agreement_list(request):
    actor = page_actor(request)
    qs, filters = search_agreements(actor, request.GET)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "contracts/agreement_list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": AgreementStatus.choices,
            "models": AgreementModel.choices,
            "can_create": actor.is_admin or bool(actor.org_ids(Role.OFFICER)),
        },
    )


@login_required
def agreement_detail(request, pk):
    actor = page_actor(request)
    agreement = visible_agreement(request, pk)
    manages = can_manage_agreement(actor, agreement)
    context = {
        "agreement": agreement,
        "manages": manages,
        "phases": agreement.phases.all(),
        "milestones": agreement.milestones.select_related("responsible"),
        "documents": agreement.documents.all(),
        "transitions": agreement.transitions.select_related("actor"),
        "versions": agreement.versions.select_related("created_by").order_by("-number"),
        "grants": agreement.permissions.select_related("dataset").order_by("dataset__code"),
        "transition_form": TransitionForm(agreement=agreement) if manages else None,
    }
    context.update(matrix_context(agreement, request.GET))
    return render(request, "contracts/agreement_detail.html", context)


@login_required
def agreement_create_view(request):
    actor = page_actor(request)
    if not (actor.is_admin or actor.org_ids(Role.OFFICER)):
        raise PermissionDenied
    form = AgreementCreateForm(posted(request), actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = agreement_create(actor=actor, **form.cleaned_data)
        except (ValidationError, ConflictError) as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Agreement %(reference)s registered as a draft.") % {"reference": agreement.reference})
            return redirect("contracts:agreement-detail", pk=agreement.pk)
    return render(request, "contracts/agreement_form.html", {"form": form, "creating": True})


@login_required
def agreement_edit(request, pk):
    """A draft is edited in place; an agreement in force is amended (a new version)."""
    actor = page_actor(request)
    agreement = managed_agreement(request, pk)
    amending = agreement.status in ("active", "suspended")
    if agreement.status not in ("draft", "active", "suspended"):
        messages.error(request, _("A %(status)s agreement can no longer be changed.") % {"status": agreement.get_status_display()})
        return redirect("contracts:agreement-detail", pk=agreement.pk)
    form_class = AmendmentForm if amending else AgreementTermsForm
    initial = {name: getattr(agreement, name) for name in AMENDABLE_TERMS}
    form = form_class(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        changes = {name: data[name] for name in AMENDABLE_TERMS if data[name] != getattr(agreement, name)}
        try:
            if amending:
                version = agreement_amend(
                    actor=actor,
                    agreement=agreement,
                    rationale=data["rationale"],
                    effective_on=data["effective_on"],
                    changes=changes,
                )
                messages.success(request, _("Amendment recorded as version %(number)s.") % {"number": version.number})
            else:
                agreement_update_draft(actor=actor, agreement=agreement, **changes)
                messages.success(request, _("Draft saved."))
        except (ValidationError, ConflictError) as exc:
            apply_service_error(form, exc)
        else:
            return redirect("contracts:agreement-detail", pk=agreement.pk)
    return render(
        request, "contracts/agreement_form.html", {"form": form, "agreement": agreement, "amending": amending}
    )


@login_required
def agreement_transition_view(request, pk):
    actor = page_actor(request)
    agreement = managed_agreement(request, pk)
    form = TransitionForm(posted(request), agreement=agreement)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = agreement_transition(
                actor=actor, agreement=agreement, action=form.cleaned_data["action"], reason=form.cleaned_data["reason"]
            )
        except (ValidationError, ConflictError) as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("The agreement is now %(status)s.") % {"status": agreement.get_status_display()})
            return redirect("contracts:agreement-detail", pk=agreement.pk)
    return render(request, "contracts/agreement_transition.html", {"form": form, "agreement": agreement})
