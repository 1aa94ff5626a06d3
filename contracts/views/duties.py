"""Declaration duties: which declarations are due, late or missing, per agreement and dataset."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.models import Dataset
from contracts.selectors.agreements import agreements_visible_to
from contracts.selectors.duties import DUE, LATE, MISSING, RECEIVED, declaration_duties
from partnerships.actors import Actor
from partnerships.views.membership import page_actor

DUTY_LABELS = {DUE: _("Due"), LATE: _("Late"), MISSING: _("Missing"), RECEIVED: _("Received")}
# What needs doing first: missing, then due (soonest first); late and received are history.
ORDER = {MISSING: 0, DUE: 1, LATE: 2, RECEIVED: 3}
OPEN = (DUE, LATE, MISSING)


def duties_for(actor: Actor, agreements=None, statuses=OPEN) -> list[dict]:
    """Duties of the visible agreements in force, as rows a template can show."""
    today = timezone.localdate()
    if agreements is None:
        agreements = agreements_visible_to(actor)
    agreements = agreements.filter(status__in=("active", "suspended", "terminated", "expired", "transferred"))
    rows = []
    for agreement in agreements:
        for duty in declaration_duties(agreement=agreement, today=today):
            if duty.status in statuses:
                rows.append({"agreement": agreement, "duty": duty, "label": DUTY_LABELS[duty.status]})
    names = dict(Dataset.objects.filter(pk__in={r["duty"].dataset_id for r in rows}).values_list("pk", "name"))
    for row in rows:
        row["dataset_name"] = names.get(row["duty"].dataset_id, row["duty"].dataset_code)
    rows.sort(key=lambda r: (ORDER[r["duty"].status], r["duty"].due_on, r["agreement"].reference, r["duty"].dataset_code))
    return rows


@login_required
def duty_list(request):
    actor = page_actor(request)
    show = request.GET.get("show", "open")
    statuses = tuple(DUTY_LABELS) if show == "all" else OPEN
    rows = duties_for(actor, statuses=statuses)
    counts = {status: sum(1 for r in rows if r["duty"].status == status) for status in DUTY_LABELS}
    return render(
        request,
        "contracts/duty_list.html",
        {"rows": rows, "show": show, "counts": counts, "labels": DUTY_LABELS},
    )
