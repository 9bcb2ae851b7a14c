from django import forms
from django.utils.translation import gettext_lazy as _


class QuarterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"), coerce=int, choices=[(q, _("Q%(n)s") % {"n": q}) for q in (1, 2, 3, 4)]
    )
