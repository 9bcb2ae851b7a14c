"""交接 on the township office's pages (``/office/people/<id>/handover/``): the preview of what
moves, then the hand-over in one audited step."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organization import office
from organization.views import _back, _office_township, _person_of

from . import handover


class HandOverForm(forms.Form):
    successor = forms.ModelChoiceField(label=gettext_lazy("Successor"), queryset=None)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    copy_roles = forms.BooleanField(
        label=gettext_lazy("Give the successor the person's roles in this township"), required=False, initial=True
    )
    deactivate = forms.BooleanField(
        label=gettext_lazy("Deactivate the account afterwards"), required=False, initial=True
    )

    def __init__(self, *args, township, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = (
            office.people_of(township).filter(is_active=True).exclude(pk=person.pk).order_by("username")
        )


@login_required
def office_handover(request, pk: int):
    township = _office_township(request)
    person = _person_of(township, pk)
    form = HandOverForm(request.POST if request.method == "POST" else None, township=township, person=person)
    if form.is_valid():
        data = form.cleaned_data
        try:
            handover.person_hand_over(
                township=township,
                actor=request.user,
                person=person,
                successor=data["successor"],
                reason=data["reason"],
                copy_roles=data["copy_roles"],
                deactivate=data["deactivate"],
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(
                request,
                _("%(person)s's open work was handed over to %(successor)s.")
                % {"person": person, "successor": data["successor"]},
            )
            return _back("office_person", township, pk=person.pk)
    context = {
        "township": township,
        "person": person,
        "form": form,
        **handover.preview(township=township, person=person),
    }
    return render(request, "delegations/handover.html", context, status=400 if form.errors else 200)
