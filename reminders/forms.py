"""Forms of the inbox: the user's own reminder preferences."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import submit_helper


class PreferenceForm(forms.Form):
    """How the user hears of reminders; saved by reminders.services.inbox.preference_save."""

    email_enabled = forms.BooleanField(
        label=_("Send me a daily email digest"),
        required=False,
        help_text=_("One mail a day listing the new reminders, rather than a mail per item."),
    )
    digest_time = forms.TimeField(
        label=_("Digest time"),
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("The digest is mailed after this time of day (Vietnam time)."),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Save"))
