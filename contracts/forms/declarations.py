"""The declaration form: a partner says what it used, under which agreement and grant.

Only the partner's own agreements and the datasets granted to it are offered.
Whether the use was in scope is not decided here: a well-formed declaration is
stored even when out of scope, and the scope check flags it afterwards.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from contracts.codes import Action, Purpose
from contracts.forms.widgets import date_field
from contracts.models import Dataset, UsageDeclaration
from contracts.selectors.agreements import agreements_visible_to
from partnerships.actors import Actor
from partnerships.codes import Role
from partnerships.models import Organization


class DatasetChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} · {obj.name}"


class DeclarationForm(forms.Form):
    agreement = forms.ModelChoiceField(label=_("Agreement"), queryset=None)
    dataset = DatasetChoiceField(label=_("Dataset"), queryset=None)
    period_start = date_field(_("Period start"))
    period_end = date_field(_("Period end"))
    purpose = forms.ChoiceField(label=_("Purpose"), choices=[("", "---------")] + list(Purpose.choices))
    actions = forms.MultipleChoiceField(
        label=_("Actions"), choices=Action.choices, widget=forms.CheckboxSelectMultiple
    )
    record_count = forms.IntegerField(
        label=_("Record count"), min_value=0, help_text=_("How many records were used in the period.")
    )
    recipients = forms.ModelMultipleChoiceField(
        label=_("Passed on to"),
        queryset=Organization.objects.all(),
        required=False,
        help_text=_("Organizations the data was given to; none if it stayed with you."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    supersedes = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        own = agreements_visible_to(actor)
        if not actor.is_admin:
            own = own.filter(partner_id__in=actor.org_ids(Role.PARTNER))
        self.fields["agreement"].queryset = own.exclude(status="draft").order_by("reference")
        self.fields["dataset"].queryset = Dataset.objects.filter(permissions__agreement__in=own).distinct().order_by("code")
        self.fields["recipients"].queryset = Organization.objects.exclude(pk__in=actor.org_ids(Role.PARTNER))
        self.fields["supersedes"].queryset = UsageDeclaration.objects.filter(
            agreement__in=own, superseded_by__isnull=True
        )
