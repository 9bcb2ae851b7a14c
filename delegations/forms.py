from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import township_people
from .serializers import delegation_errors


class DelegationForm(forms.Form):
    delegate = forms.ModelChoiceField(queryset=None, label=_("stand-in"))
    starts_on = forms.DateField(label=_("from"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("until"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["delegate"].queryset = township_people(user).exclude(pk=user.pk)

    def clean(self):
        data = super().clean()
        errors = delegation_errors(
            delegator=self.user,
            delegate=data.get("delegate"),
            starts_on=data.get("starts_on"),
            ends_on=data.get("ends_on"),
        )
        for field, messages in errors.items():
            for message in messages:
                self.add_error(field, message)
        return data
