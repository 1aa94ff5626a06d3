"""Forms for silences, notification channels and escalation policies."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from contracts.forms.widgets import datetime_field
from notifications.codes import ALERT_KIND_CHOICES, ChannelKind, Severity
from notifications.services.escalation import MAX_ESCALATION_DELAY_MINUTES, MAX_ESCALATION_LEVEL
from partnerships.models import Organization

ANY = [("", _("Any"))]


class SilenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Alert kind"), required=False, choices=ANY + list(ALERT_KIND_CHOICES))
    severity = forms.ChoiceField(label=_("Severity"), required=False, choices=ANY + list(Severity.choices))
    agreement = forms.ModelChoiceField(label=_("Agreement"), required=False, queryset=None, empty_label=_("Any"))
    partner = forms.ModelChoiceField(label=_("Partner"), required=False, queryset=None, empty_label=_("Any"))
    starts_at = datetime_field(_("Starts at"))
    ends_at = datetime_field(_("Ends at"))
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    MATCHERS = ("kind", "severity", "agreement", "partner")

    def __init__(self, *args, agreements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = agreements.order_by("reference")
        self.fields["agreement"].label_from_instance = lambda a: f"{a.reference} · {a.title}"
        self.fields["partner"].queryset = Organization.objects.filter(
            pk__in=agreements.values("partner_id")
        ).order_by("name")

    def matchers(self) -> dict:
        out = {}
        for name in self.MATCHERS:
            value = self.cleaned_data.get(name)
            if value not in (None, ""):
                out[name] = str(getattr(value, "pk", value))
        return out


class ChannelForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ChannelKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    target = forms.CharField(
        label=_("Address or URL"), max_length=500, required=False, help_text=_("An e-mail address, or a webhook URL.")
    )


class EscalationPolicyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    level = forms.IntegerField(label=_("Level"), min_value=1, max_value=MAX_ESCALATION_LEVEL, initial=1)
    delay_minutes = forms.IntegerField(
        label=_("Delay (minutes)"),
        min_value=0,
        max_value=MAX_ESCALATION_DELAY_MINUTES,
        help_text=_("Unacknowledged this long after the previous level."),
    )
    recipients = forms.ModelMultipleChoiceField(label=_("Who is notified"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].queryset = (
            get_user_model().objects.filter(is_active=True, memberships__role="supervisor").distinct().order_by("username")
        )
