"""Forms for registering, editing, amending and moving agreements through their lifecycle.

Forms only parse; the rules (party kinds, date order, unique reference, allowed
transitions) are the services', whose errors the views put beside the fields.
"""

import datetime

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.api.agreements_serializers import currency_code
from contracts.codes import AGREEMENT_TRANSITIONS, TRANSFER_MODELS, AgreementModel
from contracts.forms.widgets import date_field
from partnerships.actors import Actor
from partnerships.codes import OrganizationKind, Role
from partnerships.models import Organization

TRANSITION_LABELS = {
    "activate": _("Activate"),
    "suspend": _("Suspend"),
    "terminate": _("Terminate"),
    "expire": _("Mark as expired"),
    "transfer": _("Record the handover (transfer)"),
}

# The API's check (its pattern), with its message in the reader's language.
CURRENCY_CODE = RegexValidator(
    currency_code.regex, _("An ISO 4217 currency code: three capital letters, e.g. CNY."), code="currency_code"
)


class AgreementTermsForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    model = forms.ChoiceField(label=_("Model"), choices=AgreementModel.choices)
    signed_on = date_field(_("Signed on"), required=False)
    starts_on = date_field(_("Starts on"))
    ends_on = date_field(_("Ends on"))
    value = forms.DecimalField(label=_("Value"), max_digits=18, decimal_places=2, min_value=0, initial=0)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="CNY", validators=[CURRENCY_CODE])
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AgreementCreateForm(AgreementTermsForm):
    reference = forms.CharField(
        label=_("Reference"), max_length=64, help_text=_("The unique number of the agreement, e.g. ZJ-BOT-2026-001.")
    )
    government = forms.ModelChoiceField(label=_("Government party"), queryset=Organization.objects.none())
    partner = forms.ModelChoiceField(label=_("Partner party"), queryset=Organization.objects.none())

    field_order = ["reference", "title", "model", "government", "partner", "signed_on", "starts_on", "ends_on"]

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        governments = Organization.objects.filter(kind=OrganizationKind.GOVERNMENT)
        if not actor.is_admin:
            governments = governments.filter(pk__in=actor.org_ids(Role.OFFICER))
        self.fields["government"].queryset = governments
        if governments.count() == 1:
            self.fields["government"].initial = governments.first().pk
        self.fields["partner"].queryset = Organization.objects.filter(
            kind__in=[OrganizationKind.ENTERPRISE, OrganizationKind.SPV]
        )


class AmendmentForm(AgreementTermsForm):
    rationale = forms.CharField(label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 3}))
    effective_on = date_field(_("Effective on"))

    field_order = ["rationale", "effective_on"]


def transition_can_succeed(agreement, action: str, today: datetime.date) -> bool:
    """What agreement_transition would also allow today (it has the last word)."""
    if action == "transfer":
        return agreement.model in TRANSFER_MODELS
    if action == "expire":
        return today > agreement.ends_on
    return True


class TransitionForm(forms.Form):
    action = forms.ChoiceField(label=_("Status change"), choices=())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, **kwargs)
        moves = [name for name, (sources, _t) in AGREEMENT_TRANSITIONS.items() if agreement.status in sources]
        today = timezone.localdate()
        field = self.fields["action"]
        # Any move from this status is taken, so that one that cannot succeed (a page left open
        # past midnight, a forged post) gets the service's reason; only those that can are offered.
        field.choices = [(name, TRANSITION_LABELS[name]) for name in moves]
        field.widget.choices = [
            (name, TRANSITION_LABELS[name]) for name in moves if transition_can_succeed(agreement, name, today)
        ]
