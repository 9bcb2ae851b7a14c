from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
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
        channels = registry.personal_channels()
        reached = {}
        if user is not None and channels:  # one query for every personal channel
            exists = {channel: Exists(reachable(OuterRef("pk"))) for channel, reachable in channels.items()}
            reached = get_user_model().objects.filter(pk=user.pk).annotate(**exists).values(*channels).first() or {}
        for channel in channels:
            if not reached.get(channel):
                self.fields.pop(f"{channel}_enabled", None)
