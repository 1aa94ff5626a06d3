"""Forms for granting a dataset and for suspending, reinstating or revoking a grant."""

from django import forms
from django.utils.translation import gettext_lazy as _

from contracts.codes import PERMISSION_TRANSITIONS, Action, DeclarationSchedule, Purpose, QuotaInterval, QuotaUnit
from contracts.forms.widgets import datetime_field
from contracts.services.permissions import MAX_DELETE_WITHIN_DAYS, MAX_QUOTA
from partnerships.models import Organization

# The API's limit (grant and grant request serializers): a declaration is due within a year of its period.
MAX_DECLARATION_DUE_DAYS = 366

STATUS_ACTION_LABELS = {"suspend": _("Suspend"), "reinstate": _("Reinstate"), "revoke": _("Revoke")}


class GrantForm(forms.Form):
    dataset = forms.ModelChoiceField(label=_("Dataset"), queryset=None)
    actions = forms.MultipleChoiceField(
        label=_("Actions allowed"), choices=Action.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    purposes = forms.MultipleChoiceField(
        label=_("Purposes allowed"),
        choices=Purpose.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Granting a broad purpose also grants its narrower ones."),
    )
    valid_from = datetime_field(_("Valid from"))
    valid_until = datetime_field(_("Valid until"), required=False)
    quota_count = forms.IntegerField(
        label=_("Quota"), required=False, min_value=0, max_value=MAX_QUOTA, help_text=_("Empty: no limit.")
    )
    quota_interval = forms.ChoiceField(label=_("Quota interval"), choices=QuotaInterval.choices, initial="month")
    quota_unit = forms.ChoiceField(label=_("Quota unit"), choices=QuotaUnit.choices, initial="records")
    recipients = forms.ModelMultipleChoiceField(
        label=_("May pass data on to"),
        queryset=Organization.objects.all(),
        required=False,
        help_text=_("None selected: no onward transfer."),
    )
    declaration_schedule = forms.ChoiceField(
        label=_("Declaration schedule"), choices=DeclarationSchedule.choices, initial="monthly"
    )
    declaration_due_days = forms.IntegerField(
        label=_("Declaration due (days after period)"), min_value=0, max_value=MAX_DECLARATION_DUE_DAYS, initial=10
    )
    delete_within_days = forms.IntegerField(
        label=_("Delete within (days after end)"), required=False, min_value=0, max_value=MAX_DELETE_WITHIN_DAYS
    )
    anonymize_required = forms.BooleanField(label=_("Anonymization required"), required=False)

    def __init__(self, *args, datasets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dataset"].queryset = datasets


class GrantStatusForm(forms.Form):
    action = forms.ChoiceField(label=_("Status change"), choices=())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, status: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [
            (name, STATUS_ACTION_LABELS[name])
            for name, (sources, _t) in PERMISSION_TRANSITIONS.items()
            if status in sources
        ]
