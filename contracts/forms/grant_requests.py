"""Forms for asking for a grant, discussing it, and deciding on it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from contracts.codes import RefusalReason
from contracts.forms.grants import GrantForm
from contracts.forms.widgets import bounded_date_field
from contracts.grant_scope import SCOPE_FIELDS


class ScopeForm(GrantForm):
    """The grant's scope fields (the grant form without its dataset)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, datasets=None, **kwargs)
        del self.fields["dataset"]

    def scope(self) -> dict:
        data = {name: self.cleaned_data[name] for name in SCOPE_FIELDS if name in self.cleaned_data}
        data["actions"] = list(data.get("actions") or [])
        data["purposes"] = list(data.get("purposes") or [])
        data["recipients"] = list(data.get("recipients") or [])
        return data


class GrantRequestForm(ScopeForm):
    """A partner asks: for a new grant (choose the dataset) or for a change to a grant (pre-filled)."""

    justification = forms.CharField(
        label=_("Why the data is needed"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The service it supports, who uses the results, why less would not do."),
    )
    attachment = forms.FileField(label=_("Supporting document"), required=False)

    def __init__(self, *args, datasets=None, **kwargs):
        super().__init__(*args, **kwargs)
        if datasets is not None:  # a new grant: which dataset; a change keeps the grant's
            self.fields["dataset"] = forms.ModelChoiceField(label=_("Dataset"), queryset=datasets)
        self.order_fields(["dataset", "justification", "attachment"])


class ApproveForm(ScopeForm):
    """Pre-filled with what was asked; narrowing a field approves less than asked."""

    note = forms.CharField(label=_("Note to the partner"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class RefuseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason for refusal"), choices=RefusalReason.choices)
    explanation = forms.CharField(
        label=_("Explanation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required when the reason is “other”."),
    )


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Question or answer"), widget=forms.Textarea(attrs={"rows": 3}))


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    title = forms.CharField(label=_("Title"), required=False, max_length=300)


class StatsFilterForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=None, required=False)
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=None, required=False)
    date_from = bounded_date_field(_("Received from"), required=False)
    date_to = bounded_date_field(_("Received until"), required=False)
    group_by = forms.ChoiceField(
        label=_("Break down by"),
        required=False,
        choices=[("", _("No breakdown")), ("agency", _("Agency")), ("partner", _("Partner")), ("month", _("Month"))],
    )

    def __init__(self, *args, agencies, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["partner"].queryset = partners

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The period must not end before it starts."))
        return data
