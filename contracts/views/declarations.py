"""Declaration pages: the list, one declaration with what the check found, and the form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from contracts.codes import DeclarationStatus
from contracts.forms.declarations import DeclarationForm
from contracts.selectors.agreements import can_declare_for
from contracts.selectors.usage import declarations_visible_to
from contracts.services.declarations import declaration_submit
from partnerships.api.fields import is_id
from partnerships.codes import Role
from partnerships.errors import ConflictError
from partnerships.views.forms import apply_service_error, posted
from partnerships.views.membership import page_actor

PAGE_SIZE = 25
PREFILL = ("agreement", "dataset", "period_start", "period_end", "purpose", "supersedes")


@login_required
def declaration_list(request):
    actor = page_actor(request)
    qs = declarations_visible_to(actor).order_by("-submitted_at", "-id")
    status = request.GET.get("status", "")
    if status in DeclarationStatus.values:
        qs = qs.filter(status=status)
    agreement = request.GET.get("agreement", "")
    if is_id(agreement):
        qs = qs.filter(agreement_id=int(agreement))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "contracts/declaration_list.html",
        {
            "page": page,
            "status": status,
            "statuses": DeclarationStatus.choices,
            "can_declare": actor.is_admin or bool(actor.org_ids(Role.PARTNER)),
        },
    )


@login_required
def declaration_detail(request, pk):
    actor = page_actor(request)
    declaration = get_object_or_404(declarations_visible_to(actor), pk=pk)
    superseded_by = getattr(declaration, "superseded_by", None)
    return render(
        request,
        "contracts/declaration_detail.html",
        {
            "declaration": declaration,
            "superseded_by": superseded_by,
            "can_correct": superseded_by is None and can_declare_for(actor, declaration.agreement),
        },
    )


@login_required
def declaration_create(request):
    actor = page_actor(request)
    if not (actor.is_admin or actor.org_ids(Role.PARTNER)):
        raise PermissionDenied
    initial = {name: request.GET[name] for name in PREFILL if request.GET.get(name)}
    correcting = None
    if is_id(initial.get("supersedes", "")):
        correcting = declarations_visible_to(actor).filter(pk=int(initial["supersedes"])).first()
        if correcting is not None:
            initial.update(
                agreement=correcting.agreement_id,
                dataset=correcting.dataset_id,
                period_start=correcting.period_start,
                period_end=correcting.period_end,
                purpose=correcting.purpose,
                actions=correcting.actions,
                record_count=correcting.record_count,
                recipients=list(correcting.recipients.values_list("pk", flat=True)),
                note=correcting.note,
            )
    form = DeclarationForm(posted(request), actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            declaration = declaration_submit(actor=actor, **form.cleaned_data)
        except (ValidationError, ConflictError) as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Declaration submitted. It is checked against the grant shortly."))
            return redirect("contracts:declaration-detail", pk=declaration.pk)
    return render(request, "contracts/declaration_form.html", {"form": form, "correcting": correcting})
