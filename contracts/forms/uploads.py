from django import forms
from django.utils.translation import gettext_lazy as _

DECLARATIONS = "declarations"
EVENTS = "events"


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=[(DECLARATIONS, _("Usage declarations")), (EVENTS, _("Observed usage events (access records)"))],
        widget=forms.RadioSelect,
    )
    file = forms.FileField(label=_("CSV file (UTF-8)"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}))
