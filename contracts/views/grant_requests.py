"""Grant request pages: the partner asks, both sides discuss, the government party's officer decides."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts.codes import GrantRequestStatus
from contracts.forms.grant_requests import ApproveForm, AttachmentForm, CommentForm, GrantRequestForm, RefuseForm
from contracts.grant_scope import terms_of
from contracts.selectors.agreements import agreements_visible_to, can_declare_for, can_manage_agreement
from contracts.selectors.grant_requests import (
    datasets_requestable_under,
    grant_request_changes,
    grant_requests_visible_to,
)
from contracts.selectors.grants import permissions_visible_to
from contracts.services.grant_requests import (
    grant_request_approve,
    grant_request_attach,
    grant_request_comment,
    grant_request_refuse,
    grant_request_submit,
    grant_request_withdraw,
)
from contracts.views.grant_request_words import FIELD_LABELS, change_rows
from contracts.views.grant_words import grant_in_words
from partnerships.codes import Role
from partnerships.errors import ConflictError
from partnerships.models import Organization
from partnerships.views.forms import apply_service_error, posted
from partnerships.views.membership import page_actor

PAGE_SIZE = 25


def _visible_request(request, pk):
    return get_object_or_404(grant_requests_visible_to(page_actor(request)), pk=pk)


@login_required
def grant_request_list(request):
    actor = page_actor(request)
    qs = grant_requests_visible_to(actor)
    status = request.GET.get("status") or ""
    if status in GrantRequestStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    fileable = []
    if actor.org_ids(Role.PARTNER):
        fileable = list(
            agreements_visible_to(actor)
            .filter(partner_id__in=actor.org_ids(Role.PARTNER), status="active")
            .prefetch_related("permissions__dataset")
        )
    return render(
        request,
        "contracts/grant_request_list.html",
        {"page": page, "status": status, "statuses": GrantRequestStatus.choices, "fileable": fileable},
    )


def _initial_from(permission) -> dict:
    initial = terms_of(permission)
    initial["recipients"] = list(Organization.objects.filter(pk__in=initial["recipients"]))
    return initial


@login_required
def grant_request_create(request):
    """``?agreement=ID`` asks for a new dataset; ``?permission=ID`` asks for a change to that grant."""
    actor = page_actor(request)
    source = request.POST if request.method == "POST" else request.GET
    permission = None
    if source.get("permission"):
        permission = get_object_or_404(permissions_visible_to(actor), pk=_int(source.get("permission")))
        agreement = permission.agreement
    else:
        agreement = get_object_or_404(agreements_visible_to(actor), pk=_int(source.get("agreement")))
    if not can_declare_for(actor, agreement):
        raise PermissionDenied
    if permission is not None:
        form = GrantRequestForm(*posted(request, files=True), initial=_initial_from(permission))
    else:
        datasets = datasets_requestable_under(agreement).order_by("code")
        initial = {"valid_from": timezone.localtime().replace(second=0, microsecond=0)}
        form = GrantRequestForm(*posted(request, files=True), datasets=datasets, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = _keep_exact(form.scope(), terms_of(permission)) if permission else form.scope()
        try:
            with transaction.atomic():
                grant_request = grant_request_submit(
                    actor=actor,
                    agreement=agreement,
                    kind="change" if permission else "new",
                    permission=permission,
                    dataset=form.cleaned_data.get("dataset"),
                    justification=form.cleaned_data["justification"],
                    **data,
                )
                if form.cleaned_data.get("attachment"):
                    grant_request_attach(actor=actor, grant_request=grant_request, file=form.cleaned_data["attachment"])
        except (ValidationError, ConflictError) as exc:
            apply_service_error(form, exc, fields={"file": "attachment"})
        else:
            messages.success(request, _("Your request was sent to %(agency)s.") % {"agency": agreement.government.name})
            return redirect("contracts:grant-request-detail", pk=grant_request.pk)
    return render(
        request, "contracts/grant_request_form.html", {"form": form, "agreement": agreement, "permission": permission}
    )


def _keep_exact(scope: dict, terms: dict) -> dict:
    """The page edits times to the minute: an unedited time keeps its exact stored value,
    so it is neither a change nor (when approving) a start earlier than asked."""
    for name in ("valid_from", "valid_until"):
        exact, shown = terms.get(name), scope.get(name)
        if exact is not None and shown is not None and shown == exact.replace(second=0, microsecond=0):
            scope[name] = exact
    return scope


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0  # matches nothing: a 404


def _detail_context(request, grant_request, **forms):
    actor = page_actor(request)
    pending = grant_request.status == "pending"
    parties = can_manage_agreement(actor, grant_request.agreement) or can_declare_for(actor, grant_request.agreement)
    version = grant_request.resulting_version
    context = {
        "req": grant_request,
        "agreement": grant_request.agreement,
        "asked_words": grant_in_words(grant_request),
        "changes": change_rows(grant_request_changes(grant_request), new=grant_request.kind == "new"),
        "approved_words": grant_in_words(version.permission, terms=version) if version else None,
        "narrowed_labels": [FIELD_LABELS[name] for name in grant_request.narrowed_fields],
        "can_decide": pending and can_manage_agreement(actor, grant_request.agreement),
        "can_withdraw": pending and can_declare_for(actor, grant_request.agreement),
        "comment_form": forms.get("comment_form") or (CommentForm() if pending and parties else None),
        "attachment_form": forms.get("attachment_form") or (AttachmentForm() if pending and parties else None),
    }
    return context


@login_required
def grant_request_detail(request, pk):
    grant_request = _visible_request(request, pk)
    return render(request, "contracts/grant_request_detail.html", _detail_context(request, grant_request))


@login_required
@require_POST
def grant_request_comment_view(request, pk):
    grant_request = _visible_request(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            grant_request_comment(actor=page_actor(request), grant_request=grant_request, body=form.cleaned_data["body"])
        except (ValidationError, ConflictError) as exc:
            apply_service_error(form, exc)
        else:
            return redirect(f"{grant_request_url(grant_request)}#thread")
    context = _detail_context(request, grant_request, comment_form=form)
    return render(request, "contracts/grant_request_detail.html", context, status=400)


@login_required
@require_POST
def grant_request_attach_view(request, pk):
    grant_request = _visible_request(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            grant_request_attach(actor=page_actor(request), grant_request=grant_request, **form.cleaned_data)
        except (ValidationError, ConflictError) as exc:
            apply_service_error(form, exc)
        else:
            return redirect(f"{grant_request_url(grant_request)}#files")
    context = _detail_context(request, grant_request, attachment_form=form)
    return render(request, "contracts/grant_request_detail.html", context, status=400)


@login_required
def grant_request_attachment_file(request, pk, attachment_id):
    attachment = get_object_or_404(_visible_request(request, pk).attachments, pk=attachment_id)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)


@login_required
@require_POST
def grant_request_withdraw_view(request, pk):
    grant_request = _visible_request(request, pk)
    try:
        grant_request_withdraw(actor=page_actor(request), grant_request=grant_request)
    except ConflictError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The request was withdrawn."))
    return redirect("contracts:grant-request-detail", pk=grant_request.pk)


def grant_request_url(grant_request) -> str:
    return reverse("contracts:grant-request-detail", args=[grant_request.pk])


def _decidable(request, pk):
    grant_request = _visible_request(request, pk)
    if not can_manage_agreement(page_actor(request), grant_request.agreement):
        raise PermissionDenied
    return grant_request


def _decide_page(request, grant_request, approve_form=None, refuse_form=None, status=200):
    initial = _initial_from(grant_request)
    context = _detail_context(request, grant_request)
    context["approve_form"] = approve_form or ApproveForm(initial=initial)
    context["refuse_form"] = refuse_form or RefuseForm()
    return render(request, "contracts/grant_request_decide.html", context, status=status)


@login_required
def grant_request_decide(request, pk):
    grant_request = _decidable(request, pk)
    if grant_request.status != "pending":
        return redirect("contracts:grant-request-detail", pk=grant_request.pk)
    return _decide_page(request, grant_request)


@login_required
@require_POST
def grant_request_approve_view(request, pk):
    grant_request = _decidable(request, pk)
    form = ApproveForm(request.POST)
    if form.is_valid():
        try:
            grant_request = grant_request_approve(
                actor=page_actor(request),
                grant_request=grant_request,
                note=form.cleaned_data["note"],
                **_keep_exact(form.scope(), terms_of(grant_request)),
            )
        except (ValidationError, ConflictError) as exc:
            apply_service_error(form, exc)
        else:
            if grant_request.decision == "narrowed":
                messages.success(request, _("Approved, narrowed. The grant now has the approved scope."))
            else:
                messages.success(request, _("Approved as asked."))
            return redirect("contracts:grant-request-detail", pk=grant_request.pk)
    return _decide_page(request, grant_request, approve_form=form, status=400)


@login_required
@require_POST
def grant_request_refuse_view(request, pk):
    grant_request = _decidable(request, pk)
    form = RefuseForm(request.POST)
    if form.is_valid():
        try:
            grant_request_refuse(actor=page_actor(request), grant_request=grant_request, **form.cleaned_data)
        except (ValidationError, ConflictError) as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("The request was refused; the partner sees the reason."))
            return redirect("contracts:grant-request-detail", pk=grant_request.pk)
    return _decide_page(request, grant_request, refuse_form=form, status=400)
