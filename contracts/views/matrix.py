"""The responsibility matrix (areas x parties, R/A/C/I) as of a chosen day, and assigning."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.codes import Area
from contracts.forms.responsibilities import MatrixDateForm, ResponsibilityForm
from contracts.forms.widgets import validate_year
from contracts.selectors.grants import responsibilities_at
from contracts.services.responsibilities import responsibility_assign
from contracts.views.common import managed_agreement
from partnerships.errors import ConflictError
from partnerships.models import Organization
from partnerships.views.forms import apply_service_error, posted
from partnerships.views.membership import page_actor


def instant_for(day: datetime.date | None) -> datetime.datetime:
    """Today means now; another day means the end of that day (what was in force by then)."""
    if day is None or day == timezone.localdate():
        return timezone.now()
    start_of_next = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(start_of_next) - datetime.timedelta(microseconds=1)


def _matrix_day(date_form) -> datetime.date | None:
    """The day asked for, if it is one the matrix can be shown for (else an error beside the field)."""
    if not date_form.is_valid():
        return None
    day = date_form.cleaned_data.get("at")
    try:
        validate_year(day)  # the day after 9999-12-31 does not exist; far-off years are typing slips
    except ValidationError as exc:
        date_form.add_error("at", exc)
        return None
    return day


def matrix_context(agreement, params) -> dict:
    date_form = MatrixDateForm(params or None)
    day = _matrix_day(date_form)
    at = instant_for(day)
    assignments = list(responsibilities_at(agreement.pk, at))
    parties = [agreement.government, agreement.partner]
    for a in assignments:
        if a.party not in parties:
            parties.append(a.party)
    cells = {(a.area, a.party_id): [] for a in assignments}
    for a in assignments:
        cells[(a.area, a.party_id)].append(a)
    rows = []
    for code, label in Area.choices:
        row_cells = [cells.get((code, party.pk), []) for party in parties]
        has_accountable = any(a.raci == "A" for cell in row_cells for a in cell)
        rows.append({"code": code, "label": label, "cells": row_cells, "has_accountable": has_accountable})
    return {
        "matrix_form": date_form,
        "matrix_at": at,
        "matrix_parties": parties,
        "matrix_rows": rows,
        # An active agreement with an area nobody is accountable for is a gap to fix.
        "matrix_gaps": agreement.status == "active" and any(not r["has_accountable"] for r in rows),
    }


def _parties(agreement):
    return Organization.objects.filter(pk__in=[agreement.government_id, agreement.partner_id]) | Organization.objects.filter(
        pk__in=agreement.responsibilities.values("party_id")
    )


@login_required
def responsibility_create(request, pk):
    actor = page_actor(request)
    agreement = managed_agreement(request, pk)
    initial = {"valid_from": timezone.localtime().replace(second=0, microsecond=0), "area": request.GET.get("area")}
    form = ResponsibilityForm(posted(request), parties=_parties(agreement).distinct(), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            responsibility_assign(actor=actor, agreement=agreement, **form.cleaned_data)
        except (ValidationError, ConflictError) as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Responsibility assigned."))
            return redirect("contracts:agreement-detail", pk=agreement.pk)
    return render(request, "contracts/responsibility_form.html", {"form": form, "agreement": agreement})
