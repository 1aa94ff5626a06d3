from django import forms
from django.utils.translation import gettext_lazy as _

from contracts.codes import MilestoneKind, PhaseKind
from contracts.forms.widgets import date_field


class PhaseForm(forms.Form):
    kind = forms.ChoiceField(label=_("Phase"), choices=PhaseKind.choices)
    planned_start = date_field(_("Planned start"), required=False)
    planned_end = date_field(_("Planned end"), required=False)
    actual_start = date_field(_("Actual start"), required=False)
    actual_end = date_field(_("Actual end"), required=False)


class MilestoneForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MilestoneKind.choices)
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    due_on = date_field(_("Due on"))
    responsible = forms.ModelChoiceField(label=_("Responsible party"), queryset=None)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, parties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = parties
