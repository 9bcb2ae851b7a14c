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
