from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organization.models import Unit

from .models import SupervisionAction
from .selectors import MAX_DAYS_OVERDUE


class QueueFilterForm(forms.Form):
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(), required=False, label=_("Unit"), empty_label=_("All units")
    )
    lead_leader = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    days_overdue = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_DAYS_OVERDUE, label=_("At least this many working days overdue")
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units


class CaseOpenForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class CaseActForm(forms.Form):
    action = forms.ChoiceField(label=pgettext_lazy("supervision", "Action"), choices=SupervisionAction.Kind.choices)
    note = forms.CharField(
        label=pgettext_lazy("supervision", "Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class CaseCloseForm(forms.Form):
    conclusion = forms.CharField(label=_("Conclusion"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
