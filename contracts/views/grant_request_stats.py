"""The demand measures page, and the same table as CSV."""

import csv

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from contracts.codes import RefusalReason
from contracts.forms.grant_requests import StatsFilterForm
from contracts.selectors.agreements import agreements_visible_to
from contracts.selectors.grant_request_stats import grant_request_stats, stats_table
from partnerships.models import Organization
from partnerships.views.membership import page_actor


def _filtered_stats(request):
    actor = page_actor(request)
    visible = agreements_visible_to(actor)
    form = StatsFilterForm(
        request.GET or None,
        agencies=Organization.objects.filter(agreements_as_government__in=visible).distinct(),
        partners=Organization.objects.filter(agreements_as_partner__in=visible).distinct(),
    )
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    group_by = filters.get("group_by") or None
    stats = grant_request_stats(
        actor=actor,
        agency_id=filters["agency"].pk if filters.get("agency") else None,
        partner_id=filters["partner"].pk if filters.get("partner") else None,
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
        group_by=group_by,
    )
    return form, stats, group_by


@login_required
def grant_request_stats_page(request):
    form, stats, group_by = _filtered_stats(request)
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(
        request,
        "contracts/grant_request_stats.html",
        {"form": form, "stats": stats, "group_by": group_by, "reasons": RefusalReason.choices},
        status=status,
    )


@login_required
def grant_request_stats_csv(request):
    form, stats, group_by = _filtered_stats(request)
    if form.is_bound and not form.is_valid():
        response = HttpResponse(content_type="text/csv; charset=utf-8", status=400)
        writer = csv.writer(response)
        writer.writerow(["field", "message"])
        for field, errors in form.errors.items():
            for error in errors:
                writer.writerow([field, error])
        return response
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="grant-request-stats.csv"'
    response.write("\ufeff")  # so spreadsheet programs read the Chinese names as UTF-8
    csv.writer(response).writerows(stats_table(stats, group_by))
    return response
