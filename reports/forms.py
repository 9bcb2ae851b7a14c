from django import forms
from django.utils.translation import gettext_lazy as _


class QuarterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"), coerce=int, choices=[(q, _("Q%(n)s") % {"n": q}) for q in (1, 2, 3, 4)]
    )


class ScoringSchemeForm(forms.ModelForm):
    """The office's edit of its township's scheme for a year: every section, and why."""

    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.TextInput(attrs={"class": "reason"}))

    class Meta:
        from .models import ScoringScheme
        from .services import SCHEME_FIELDS

        model = ScoringScheme
        fields = ["year", *SCHEME_FIELDS]

    def sections(self):
        """(label, bound fields) per section, for the page."""
        from .models import SCHEME_SECTIONS

        return [(label, [self[name] for name in fields]) for label, fields in SCHEME_SECTIONS]

    def validate_unique(self):
        """One scheme per township and year: the service updates the township's, never a duplicate."""
