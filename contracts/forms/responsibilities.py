from django import forms
from django.utils.translation import gettext_lazy as _

from contracts.codes import Area, Raci
from contracts.forms.widgets import date_field, datetime_field


class ResponsibilityForm(forms.Form):
    area = forms.ChoiceField(label=_("Area"), choices=Area.choices)
    party = forms.ModelChoiceField(label=_("Party"), queryset=None)
    raci = forms.ChoiceField(label=_("Role in the area (RACI)"), choices=Raci.choices)
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    valid_from = datetime_field(_("Valid from"))
    valid_to = datetime_field(_("Valid to"), required=False)

    def __init__(self, *args, parties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = parties


class MatrixDateForm(forms.Form):
    at = date_field(_("As of"), required=False)
