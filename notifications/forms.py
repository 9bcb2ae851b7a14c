from django import forms
from django.utils.translation import gettext_lazy as _

from . import registry
from .models import NotificationPreference


class PreferenceForm(forms.ModelForm):
    muted_events = forms.MultipleChoiceField(
        label=_("Do not push these events (they stay in the inbox)"),
        choices=registry.group_choices,  # the groups the emitting apps registered
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = NotificationPreference
        fields = [
            "email_enabled",
            "webhook_enabled",
            "wecom_enabled",
            "dingtalk_enabled",
            "quiet_hours",
            "muted_events",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        for channel, reachable in registry.personal_channels().items():
            name = f"{channel}_enabled"
            if name in self.fields and (user is None or not reachable(user.pk).exists()):
                del self.fields[name]
