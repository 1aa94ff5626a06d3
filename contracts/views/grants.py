"""Grant pages: one grant in plain words with its use and history; granting; status changes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.codes import PermissionStatus
from contracts.forms.grants import GrantForm, GrantStatusForm
from contracts.selectors.agreements import can_manage_agreement
from contracts.selectors.grant_usage import grant_usage
from contracts.selectors.grants import datasets_visible_to, permissions_visible_to
from contracts.services.permissions import permission_grant, permission_set_status
from contracts.views.common import managed_agreement
from contracts.views.grant_chart import chart_geometry
from contracts.views.grant_words import grant_in_words
from partnerships.errors import ConflictError
from partnerships.models import Organization
from partnerships.views.forms import apply_service_error, posted
from partnerships.views.membership import page_actor


def _visible_grant(request, pk):
    return get_object_or_404(
        permissions_visible_to(page_actor(request)).select_related("agreement__partner", "agreement__government"), pk=pk
    )


@login_required
def grant_detail(request, pk):
    actor = page_actor(request)
    grant = _visible_grant(request, pk)
    manages = can_manage_agreement(actor, grant.agreement)
    versions = list(grant.versions.select_related("changed_by").order_by("-number"))
    orgs = {o.pk: o.name for o in Organization.objects.filter(pk__in={i for v in versions for i in v.recipient_ids})}
    for version in versions:
        version.recipient_names = [orgs.get(i, str(i)) for i in version.recipient_ids]
        version.words = grant_in_words(grant, terms=version)
    rows = grant_usage(grant)
    return render(
        request,
        "contracts/grant_detail.html",
        {
            "grant": grant,
            "agreement": grant.agreement,
            "words": grant_in_words(grant),
            "versions": versions,
            "usage": rows,
            "chart": chart_geometry(rows, grant.quota_count, grant.quota_interval),
            "manages": manages,
            "status_form": GrantStatusForm(status=grant.status) if manages and grant.status != "revoked" else None,
            "statuses": PermissionStatus,
        },
    )


@login_required
def grant_create(request, pk):
    actor = page_actor(request)
    agreement = managed_agreement(request, pk)
    initial = {"valid_from": timezone.localtime().replace(second=0, microsecond=0), "dataset": request.GET.get("dataset")}
    form = GrantForm(posted(request), datasets=datasets_visible_to(actor), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            grant = permission_grant(actor=actor, agreement=agreement, **form.cleaned_data)
        except (ValidationError, ConflictError) as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Permission granted for %(dataset)s.") % {"dataset": grant.dataset.name})
            return redirect("contracts:grant-detail", pk=grant.pk)
    return render(request, "contracts/grant_form.html", {"form": form, "agreement": agreement})


@login_required
def grant_status(request, pk):
    actor = page_actor(request)
    grant = _visible_grant(request, pk)
    if not can_manage_agreement(actor, grant.agreement):
        raise PermissionDenied
    form = GrantStatusForm(posted(request), status=grant.status)
    if request.method == "POST" and form.is_valid():
        try:
            grant = permission_set_status(
                actor=actor, permission=grant, action=form.cleaned_data["action"], reason=form.cleaned_data["reason"]
            )
        except (ValidationError, ConflictError) as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("The grant is now %(status)s.") % {"status": grant.get_status_display()})
            return redirect("contracts:grant-detail", pk=grant.pk)
    return render(request, "contracts/grant_status.html", {"form": form, "grant": grant, "agreement": grant.agreement})
