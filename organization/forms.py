"""Forms of the township office's pages: each change carries its reason."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Membership, Unit

REASON_WIDGET = forms.Textarea(attrs={"rows": 2})


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=REASON_WIDGET, max_length=1000)


class _TownshipUnitsMixin:
    """Unit choices limited to the township's own units."""

    unit_fields: tuple[str, ...] = ("unit",)
    unit_kinds: dict[str, tuple[str, ...]] = {}

    def limit_units(self, township: Unit) -> None:
        units = Unit.objects.filter(path__startswith=township.path).order_by("path")
        for name in self.unit_fields:
            kinds = self.unit_kinds.get(name)
            self.fields[name].queryset = units.filter(kind__in=kinds) if kinds else units


class PersonCreateForm(_TownshipUnitsMixin, forms.Form):
    username = forms.RegexField(
        label=pgettext_lazy("person", "Username"),
        regex=r"^[A-Za-z0-9_.-]{3,40}$",
        error_messages={"invalid": _("3–40 letters, digits, dots, dashes or underscores.")},
    )
    display_name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    phone = forms.RegexField(
        label=_("Phone"),
        regex=r"^[0-9+\- ]{5,20}$",
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
        error_messages={"invalid": _("Digits only (spaces, + and - allowed).")},
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    role = forms.ChoiceField(label=pgettext_lazy("person", "Role"), choices=Membership.Role.choices)
    title = forms.CharField(label=pgettext_lazy("person", "Post"), max_length=100, required=False)
    reason = forms.CharField(label=_("Reason"), widget=REASON_WIDGET, max_length=1000)


class PersonUpdateForm(forms.Form):
    display_name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    phone = PersonCreateForm.base_fields["phone"]
    reason = forms.CharField(label=_("Reason"), widget=REASON_WIDGET, max_length=1000)


class MembershipForm(_TownshipUnitsMixin, forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    role = forms.ChoiceField(label=pgettext_lazy("person", "Role"), choices=Membership.Role.choices)
    title = forms.CharField(label=pgettext_lazy("person", "Post"), max_length=100, required=False)
    reason = forms.CharField(label=_("Reason"), widget=REASON_WIDGET, max_length=1000)


class PairingForm(_TownshipUnitsMixin, forms.Form):
    unit_fields = ("branch", "partner")
    unit_kinds = {
        "branch": (Unit.Kind.BRANCH,),
        "partner": (Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY, Unit.Kind.ENTERPRISE),
    }
    branch = forms.ModelChoiceField(label=_("Organ branch"), queryset=Unit.objects.none())
    partner = forms.ModelChoiceField(label=_("Village, community or enterprise"), queryset=Unit.objects.none())
    reason = forms.CharField(label=_("Reason"), widget=REASON_WIDGET, max_length=1000)
