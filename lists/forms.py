"""Page forms. Every form keeps what the user typed when it is redisplayed with errors."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organization.models import Membership, Unit, User
from organization.scoping import leaders_of
from workflows.bounds import check, deadline_errors

from .evidence import validate_uploads
from .excel import month_from_text
from .models import ExtensionRequest, ResponsibilityItem, ResponsibilityList, TaskCategory


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _datetime_field(label):
    return forms.DateTimeField(
        label=label, widget=DateTimeLocalInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]
    )


class ListCreateForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), empty_label=pgettext_lazy("select prompt", "Choose…"))  # fmt: skip
    # type=month: a phone shows a month picker; browsers without one accept "2026-12" typed.
    month = forms.CharField(
        label=_("Month"),
        help_text=_("For example 2026-12"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()
        self.fields["month"].widget.attrs["placeholder"] = "2026-12"

    def clean_month(self):
        try:
            month = month_from_text(self.cleaned_data["month"])
        except ValueError as exc:
            raise forms.ValidationError(_("Enter the month as YYYY-MM, for example 2026-12.")) from exc
        errors = check(ResponsibilityList(month=month), "month")
        if errors:
            raise forms.ValidationError(errors["month"])
        return month


class UserChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", pgettext_lazy("select prompt", "Choose…"))
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return f"{obj} ({obj.username})"


class UsersChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} ({obj.username})"


class ItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    standard = forms.CharField(label=_("Completion standard"), widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.ModelChoiceField(label=_("Category"), queryset=TaskCategory.objects.all(), required=False, empty_label=_("No category"))  # fmt: skip
    assignee = UserChoiceField(label=_("Responsible cadre"), queryset=User.objects.none())
    # A list of people to tick (a phone has no Ctrl-click for a multiple select).
    co_handlers = UsersChoiceField(label=_("Co-handlers"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple(attrs={"class": "people-picker"}))  # fmt: skip
    lead_leader = UserChoiceField(label=_("Lead leader"), queryset=User.objects.none())
    due_at = _datetime_field(_("Deadline"))
    urgent = forms.BooleanField(label=_("Urgent"), required=False)

    def __init__(self, *args, unit: Unit, item: ResponsibilityItem | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        members = User.objects.filter(memberships__unit=unit).distinct().order_by("username")
        self.fields["assignee"].queryset = members
        self.fields["co_handlers"].queryset = members
        self.fields["lead_leader"].queryset = leaders_of(unit).order_by("username")

    def clean(self):
        data = super().clean()
        assignee, co_handlers = data.get("assignee"), data.get("co_handlers")
        if assignee and co_handlers and assignee in co_handlers:
            self.add_error("co_handlers", _("The responsible cadre cannot also be a co-handler."))
        if data.get("due_at") is not None:
            probe = ResponsibilityItem(pk=self.item.pk if self.item else None, due_at=data["due_at"])
            for error in check(probe, "due_at").get("due_at", []):
                self.add_error("due_at", error)
        return data

    @classmethod
    def initial_for(cls, item: ResponsibilityItem) -> dict:
        return {
            "title": item.title,
            "standard": item.standard,
            "category": item.category_id,
            "assignee": item.assignee_id,
            "co_handlers": [user.pk for user in item.co_handlers.all()],
            "lead_leader": item.lead_leader_id,
            "due_at": timezone.localtime(item.due_at) if item.due_at else None,
            "urgent": item.urgent,
        }


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ProgressForm(forms.Form):
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}))
    percent = forms.IntegerField(label=_("Percent done"), min_value=0, max_value=100, required=False)


class SubmitForm(forms.Form):
    result = forms.CharField(label=_("Result"), widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ReassignForm(ReasonForm):
    """改派: a cadre or leader of the item's unit takes the item over."""

    needs_item = True
    assignee = UserChoiceField(label=_("New responsible cadre"), queryset=User.objects.none())
    field_order = ["assignee", "reason"]

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        self.fields["assignee"].queryset = (
            User.objects.filter(
                is_active=True,
                memberships__role__in=[Membership.Role.CADRE, Membership.Role.LEADER],
                memberships__unit__path__startswith=item.list.unit.path,
            )
            .exclude(pk=item.assignee_id)
            .distinct()
            .order_by("username")
        )


class CorrectForm(ReasonForm):
    """更正: the leader corrects a published item's title, standard or deadline, with a reason."""

    needs_item = True
    title = forms.CharField(label=_("Title"), max_length=200)
    standard = forms.CharField(label=_("Completion standard"), widget=forms.Textarea(attrs={"rows": 2}))
    due_at = _datetime_field(_("Deadline"))
    field_order = ["title", "standard", "due_at", "reason"]

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        self.fields["title"].initial = item.title
        self.fields["standard"].initial = item.standard
        self.fields["due_at"].initial = timezone.localtime(item.due_at) if item.due_at else None

    def clean_due_at(self):
        value = self.cleaned_data["due_at"]
        if (
            value is not None
            and self.item.due_at is not None
            and value == self.item.due_at.replace(second=0, microsecond=0)
        ):
            return self.item.due_at  # as shown (to the minute): unchanged
        errors = deadline_errors(value) if value is not None else []
        if errors:
            raise forms.ValidationError([str(e) for e in errors])
        return value

    def clean(self):
        data = super().clean()
        if not self.errors and all(data.get(n) == getattr(self.item, n) for n in ("title", "standard", "due_at")):
            raise forms.ValidationError(_("Change the title, the completion standard or the deadline."))
        return data


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (``<input type=file multiple>``): cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(one, initial) for one in data]
        return [single(data, initial)]


class EvidenceForm(forms.Form):
    """One or several evidence files (photos from a phone's camera among them, HEIC converted)."""

    file = MultipleFileField(label=_("Evidence file"))

    def clean_file(self):
        self.checked = validate_uploads(self.cleaned_data["file"])
        return [checked.upload for checked in self.checked]


class ExtensionForm(forms.Form):
    new_due_at = _datetime_field(_("Requested deadline"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, item: ResponsibilityItem, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item

    def clean_new_due_at(self):
        value = self.cleaned_data["new_due_at"]
        errors = check(ExtensionRequest(item=self.item, new_due_at=value), "new_due_at")
        if errors:
            raise forms.ValidationError(errors["new_due_at"])
        return value


class CloseForm(forms.Form):
    """验单: one carry-over / unfinished choice per open item; nothing is dropped silently."""

    CHOICES = [("carry_over", _("carry over to next month")), ("unfinished", _("mark unfinished"))]
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"item_{item.pk}"] = forms.ChoiceField(
                label=item.title, choices=self.CHOICES, widget=forms.RadioSelect, initial="carry_over"
            )

    def decisions(self) -> dict[int, str]:
        return {item.pk: self.cleaned_data[f"item_{item.pk}"] for item in self.items}

    def item_fields(self):
        return [(item, self[f"item_{item.pk}"]) for item in self.items]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))
