from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.codes import ALERT_KIND_CHOICES, AlertStatus, Severity

ANY = [("", _("Any"))]
LIVE = "live"


class AlertFilterForm(forms.Form):
    """The inbox filters; every field optional, bad values simply ignored."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[(LIVE, _("Open or acknowledged"))] + ANY + list(AlertStatus.choices)
    )
    severity = forms.ChoiceField(label=_("Severity"), required=False, choices=ANY + list(Severity.choices))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=ANY + list(ALERT_KIND_CHOICES))
    agreement = forms.ModelChoiceField(label=_("Agreement"), required=False, queryset=None, empty_label=_("Any"))

    def __init__(self, *args, agreements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = agreements.order_by("reference")
        self.fields["agreement"].label_from_instance = lambda a: a.reference


class AcknowledgeForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(forms.Form):
    comment = forms.CharField(
        label=_("How it was resolved"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DismissForm(forms.Form):
    reason = forms.CharField(label=_("Why it is dismissed"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


