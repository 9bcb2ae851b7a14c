"""Forms of the township office's pages: each change carries its reason."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lists.models import RecurringItemTemplate

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


class TemplateForm(forms.ModelForm):
    """An item template with its cadence; units and people limited to the township."""

    once_month = forms.DateField(
        label=_("Month (one-off)"),
        required=False,
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        help_text=_("One-off: the month whose list receives the item."),
    )
    reason = forms.CharField(label=_("Reason"), widget=REASON_WIDGET, max_length=1000)

    class Meta:
        model = RecurringItemTemplate
        fields = (
            "unit",
            "title",
            "standard",
            "category",
            "default_assignee",
            "lead_leader",
            "cadence",
            "period_month",
            "once_month",
            "due_day",
        )
        widgets = {"standard": forms.Textarea(attrs={"rows": 3})}

    def limit(self, township: Unit, people) -> None:
        self.fields["unit"].queryset = Unit.objects.filter(
            path__startswith=township.path, kind=Unit.Kind.BRANCH
        ).order_by("path")
        for name in ("default_assignee", "lead_leader"):
            self.fields[name].queryset = people.filter(is_active=True).order_by("username")

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class CalendarForm(_TownshipUnitsMixin, forms.Form):
    date = forms.DateField(label=pgettext_lazy("office", "Date"), widget=forms.DateInput(attrs={"type": "date"}))
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), help_text=_("The township, or one unit of it.")
    )
    is_working_day = forms.TypedChoiceField(
        label=_("The day is"),
        choices=(("1", _("a working day")), ("0", _("a day off"))),
        coerce=lambda value: value == "1",
    )
    note = forms.CharField(label=pgettext_lazy("office", "Note"), max_length=200, required=False)
    reason = forms.CharField(label=_("Reason"), widget=REASON_WIDGET, max_length=1000)


class JurisdictionForm(_TownshipUnitsMixin, forms.Form):
    unit_fields = ("unit", "covers")
    unit_kinds = {"unit": (Unit.Kind.TOWNSHIP, Unit.Kind.COMMITTEE, Unit.Kind.DISTRICT)}
    unit = forms.ModelChoiceField(label=_("Seated on"), queryset=Unit.objects.none())
    name = forms.CharField(label=pgettext_lazy("jurisdiction", "Name"), max_length=100)
    covers = forms.ModelMultipleChoiceField(
        label=_("Also covers"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Units outside the seat's own subtree whose work its commissioners oversee."),
    )
    reason = forms.CharField(label=_("Reason"), widget=REASON_WIDGET, max_length=1000)


class PeopleImportForm(forms.Form):
    file = forms.FileField(label=_("Excel workbook (.xlsx)"))
    reason = forms.CharField(label=_("Reason"), widget=REASON_WIDGET, max_length=1000)


class UnitCreateForm(_TownshipUnitsMixin, forms.Form):
    unit_fields = ("parent",)
    parent = forms.ModelChoiceField(label=_("Belongs under"), queryset=Unit.objects.none())
    name = forms.CharField(label=pgettext_lazy("unit", "Name"), max_length=100)
    code = forms.SlugField(
        label=pgettext_lazy("unit", "Code"),
        max_length=50,
        help_text=_("Letters, digits and dashes, unique across the deployment (e.g. qs-village12)."),
    )
    kind = forms.ChoiceField(
        label=pgettext_lazy("unit", "Kind"), choices=[c for c in Unit.Kind.choices if c[0] != Unit.Kind.TOWNSHIP]
    )
    reason = forms.CharField(label=_("Reason"), widget=REASON_WIDGET, max_length=1000)


class UnitEditForm(_TownshipUnitsMixin, forms.Form):
    unit_fields = ("parent",)
    name = forms.CharField(label=pgettext_lazy("unit", "Name"), max_length=100)
    parent = forms.ModelChoiceField(label=_("Belongs under"), queryset=Unit.objects.none(), required=False)
    reason = forms.CharField(label=_("Reason"), widget=REASON_WIDGET, max_length=1000)
