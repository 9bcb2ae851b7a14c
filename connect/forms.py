"""The office's forms: an application's credentials (the secret write-only) and a link."""

from django import forms
from django.utils.translation import gettext_lazy as _

from organization.forms import REASON_WIDGET

from .models import Provider, VendorApp


class VendorAppForm(forms.Form):
    enabled = forms.BooleanField(label=_("enabled"), required=False, initial=True)
    corp_id = forms.RegexField(label=_("corp ID"), regex=r"^[A-Za-z0-9_-]{1,64}$", max_length=64)
    agent_id = forms.RegexField(
        label=_("agent ID"),
        regex=r"^[0-9]{1,18}$",
        max_length=18,
        error_messages={"invalid": _("The agent ID is a number.")},
    )
    app_key = forms.RegexField(
        label=_("app key"),
        regex=r"^[A-Za-z0-9_-]{1,64}$",
        max_length=64,
        required=False,
        help_text=_("DingTalk only: the AppKey (Client ID) of the application."),
    )
    # Write-only: never rendered back (render_value=False); left empty, the stored one stays.
    secret = forms.CharField(
        label=_("app secret"),
        max_length=200,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    reason = forms.CharField(label=_("Reason"), widget=REASON_WIDGET, max_length=1000)

    def __init__(self, *args, provider: str, app: VendorApp | None = None, **kwargs):
        self.provider = provider
        if app is not None and "initial" not in kwargs:
            kwargs["initial"] = {f: getattr(app, f) for f in ("enabled", "corp_id", "agent_id", "app_key")}
        kwargs.setdefault("prefix", provider)
        super().__init__(*args, **kwargs)
        self.has_secret = bool(app and app.secret)
        if self.has_secret:
            self.fields["secret"].help_text = _("A secret is stored. Leave this empty to keep it; it is never shown.")
        if provider != Provider.DINGTALK:
            del self.fields["app_key"]


class LinkForm(forms.Form):
    person = forms.ModelChoiceField(label=_("person"), queryset=None)
    provider = forms.ChoiceField(label=_("platform"), choices=Provider.choices)
    external_id = forms.CharField(label=_("user ID on the platform"), max_length=64)
    reason = forms.CharField(label=_("Reason"), widget=REASON_WIDGET, max_length=1000)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people.order_by("username")
        self.fields["person"].label_from_instance = lambda user: f"{user} ({user.username})"
