"""The declaration form: a partner says what it used, under which agreement and grant.

Only the partner's own agreements are offered, with the datasets granted under them and
those already declared under them (a declaration filed without a grant can be corrected).
Whether the use was in scope is not decided here: a well-formed declaration is
stored even when out of scope, and the scope check flags it afterwards.
"""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contracts.codes import Action, Purpose
from contracts.forms.widgets import date_field
from contracts.models import DataUsePermission, Dataset, UsageDeclaration
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
    note = forms.CharField(label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    supersedes = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        own = agreements_visible_to(actor)
        if not actor.is_admin:
            own = own.filter(partner_id__in=actor.org_ids(Role.PARTNER))
        self.fields["agreement"].queryset = own.exclude(status="draft").order_by("reference")
        granted = DataUsePermission.objects.filter(agreement__in=own).values("dataset_id")
        declared = UsageDeclaration.objects.filter(agreement__in=own).values("dataset_id")
        self.fields["dataset"].queryset = Dataset.objects.filter(Q(pk__in=granted) | Q(pk__in=declared)).order_by("code")
        self.fields["recipients"].queryset = Organization.objects.exclude(pk__in=actor.org_ids(Role.PARTNER))
        # Every declaration of the partner's, corrected or not: correcting one already corrected
        # is refused by declaration_submit, which says why (and which one to correct instead).
        self.fields["supersedes"].queryset = UsageDeclaration.objects.filter(agreement__in=own)
