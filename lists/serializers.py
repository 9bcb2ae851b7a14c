"""API serializers for monthly lists, items and extension requests.

Input serializers validate everything a service needs (field formats, who may be assigned,
deadlines) so that what a service raises afterwards is a real conflict.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from issues.models import LivelihoodIssue
from organization.models import Membership, Unit, User
from organization.scoping import leaders_of, scope_for
from workflows.api import CommentInputSerializer, MomentField, ReasonInputSerializer
from workflows.bounds import check, deadline_errors

from .models import Evidence, ExtensionRequest, ResponsibilityItem, ResponsibilityList

Item = ResponsibilityItem

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def _state_field(model) -> serializers.ChoiceField:
    # Each resource's states are an enum of their own in the schema (ENUM_NAME_OVERRIDES names
    # them: ListStateEnum, ItemStateEnum, ExtensionStateEnum), with their labels.
    return serializers.ChoiceField(choices=model.State.choices, read_only=True)


# -- lists --------------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-12"})
class MonthField(serializers.Field):
    """``"2026-12"`` ⇄ the first day of that month."""

    default_error_messages = {"invalid": _("Enter the month as YYYY-MM, e.g. 2026-12.")}

    def to_internal_value(self, data):
        match = MONTH_RE.match(str(data)) if isinstance(data, str) else None
        if not match:
            self.fail("invalid")
        year, month = int(match.group(1)), int(match.group(2))
        try:
            value = dt.date(year, month, 1)
        except ValueError:
            self.fail("invalid")
        errors = check(ResponsibilityList(month=value), "month")
        if errors:
            raise serializers.ValidationError(errors["month"])
        return value

    def to_representation(self, value):
        return value.strftime("%Y-%m")


class ListSerializer(serializers.ModelSerializer):
    month = MonthField()
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    item_count = serializers.IntegerField(read_only=True, default=0)
    state = _state_field(ResponsibilityList)

    class Meta:
        model = ResponsibilityList
        fields = [
            "id",
            "unit",
            "unit_name",
            "month",
            "title",
            "state",
            "item_count",
            "created_by",
            "created_at",
            "published_at",
            "closed_at",
        ]
        read_only_fields = ["state", "created_by", "created_at", "published_at", "closed_at"]
        # ``validate`` reports a clash on the month field instead of a non-field error.
        validators: list = []

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            # Only units the caller leads may get a list; others read as "does not exist".
            fields["unit"].queryset = Unit.objects.filter(scope_for(request.user).led_units_q())
        return fields

    def validate_title(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError(_("A title is required."))
        return value

    def validate(self, attrs):
        unit = attrs.get("unit", getattr(self.instance, "unit", None))
        month = attrs.get("month", getattr(self.instance, "month", None))
        if unit is not None and month is not None:
            clash = ResponsibilityList.objects.filter(unit=unit, month=month)
            if self.instance is not None:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise serializers.ValidationError(
                    {"month": [_("This unit already has a list for %(month)s.") % {"month": f"{month:%Y-%m}"}]}
                )
        return attrs


def _refuse_change(serializer, name: str, current_pk: int, message) -> None:
    """A PATCH may repeat ``name``'s current value (a client sending the whole object back) but
    not change it."""
    if name in serializer.initial_data and str(serializer.initial_data[name]) != str(current_pk):
        raise serializers.ValidationError({name: [message]})


class ListUpdateSerializer(ListSerializer):
    """A draft list's title and month may change; its unit may not."""

    class Meta(ListSerializer.Meta):
        read_only_fields = [*ListSerializer.Meta.read_only_fields, "unit"]

    def get_fields(self):
        fields = super().get_fields()
        fields["unit"] = serializers.PrimaryKeyRelatedField(read_only=True)
        return fields

    def validate(self, attrs):
        _refuse_change(
            self, "unit", self.instance.unit_id, _("A list stays with its unit: create a list for the other unit.")
        )
        return super().validate(attrs)


class CloseDecisionsSerializer(CommentInputSerializer):
    """验单: one decision per open item — ``carry_over`` or ``unfinished``."""

    decisions = serializers.DictField(
        child=serializers.ChoiceField(choices=["carry_over", "unfinished"]), required=False, default=dict
    )

    def validate_decisions(self, value: dict) -> dict[int, str]:
        lst = self.context["object"]
        try:
            decisions = {int(k): v for k, v in value.items()}
        except (TypeError, ValueError) as exc:
            raise serializers.ValidationError(_("Keys must be item ids.")) from exc
        open_items = dict(lst.items.filter(state__in=Item.OPEN_STATES).values_list("pk", "title"))
        unknown = sorted(set(decisions) - set(open_items))
        if unknown:
            raise serializers.ValidationError(
                _("Not open items of this list: %(ids)s.") % {"ids": ", ".join(map(str, unknown))}
            )
        missing = [title for pk, title in open_items.items() if pk not in decisions]
        if missing:
            raise serializers.ValidationError(
                _("Decide for every unfinished item whether to carry it over or mark it unfinished: %(titles)s.")
                % {"titles": "; ".join(missing)}
            )
        return decisions


# -- items --------------------------------------------------------------------------------------


class ItemSerializer(serializers.ModelSerializer):
    list = serializers.PrimaryKeyRelatedField(queryset=ResponsibilityList.objects.all())
    assignee = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    lead_leader = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    co_handlers = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), many=True, required=False
    )
    due_at = MomentField()
    standard = serializers.CharField(max_length=5000)
    unit = serializers.IntegerField(source="list.unit_id", read_only=True)
    unit_name = serializers.CharField(source="list.unit.name", read_only=True)
    list_month = serializers.CharField(read_only=True)
    assignee_name = serializers.CharField(read_only=True, allow_null=True)
    lead_leader_name = serializers.CharField(read_only=True, allow_null=True)
    is_overdue = serializers.BooleanField(read_only=True)
    state = _state_field(Item)

    class Meta:
        model = Item
        fields = [
            "id",
            "list",
            "list_month",
            "unit",
            "unit_name",
            "title",
            "standard",
            "category",
            "urgent",
            "assignee",
            "assignee_name",
            "lead_leader",
            "lead_leader_name",
            "co_handlers",
            "state",
            "due_at",
            "original_due_at",
            "warning_level",
            "escalation_level",
            "is_overdue",
            "progress_percent",
            "result",
            "assigned_at",
            "accepted_at",
            "submitted_at",
            "completed_at",
            "on_time",
            "carried_over_from",
            "sort_order",
            "created_at",
            "updated_at",
        ]
        # Required to create an item by the API; empty on items generated from a template
        # without a default assignee (the leader fills them in before publishing).
        null_in_answers = ["assignee", "lead_leader", "due_at"]
        read_only_fields = [
            "state",
            "original_due_at",
            "warning_level",
            "escalation_level",
            "progress_percent",
            "result",
            "assigned_at",
            "accepted_at",
            "submitted_at",
            "completed_at",
            "on_time",
            "carried_over_from",
            "created_at",
            "updated_at",
        ]

    def to_representation(self, instance):
        # The one definition of an item's JSON is the row read's (``item_representations``); the
        # fields above describe input and the schema.
        return item_representation(instance, [user.pk for user in instance.co_handlers.all()])

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            from .selectors import lists_visible_to

            # A list outside the caller's scope reads as "does not exist" (400, not a leak).
            fields["list"].queryset = lists_visible_to(request.user)
        return fields

    def validate_title(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError(_("A title is required."))
        return value

    def validate_standard(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError(_("A completion standard is required."))
        return value

    def validate(self, attrs):
        lst = attrs.get("list", getattr(self.instance, "list", None))
        unit = lst.unit
        errors: dict[str, list] = {}
        if "due_at" in attrs:
            probe = Item(pk=getattr(self.instance, "pk", None), list=lst, due_at=attrs["due_at"])
            errors.update(check(probe, "due_at"))
        assignee = attrs.get("assignee")
        problem = assignee_error(unit, assignee) if assignee is not None else None
        if problem:
            errors["assignee"] = [problem]
        lead_leader = attrs.get("lead_leader")
        if lead_leader is not None and not leaders_of(unit).filter(pk=lead_leader.pk).exists():
            errors["lead_leader"] = [_("The lead leader must lead %(unit)s.") % {"unit": unit.name}]
        bad_co = [
            str(u)
            for u in attrs.get("co_handlers") or []
            if not Membership.objects.filter(user=u, unit__path__startswith=unit.path).exists()
        ]
        if bad_co:
            errors["co_handlers"] = [
                _("Co-handlers must be members of %(unit)s: %(names)s.")
                % {"unit": unit.name, "names": ", ".join(bad_co)}
            ]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


# -- items, read from columns ------------------------------------------------------------------


def _user_columns(user: str) -> list[str]:
    return [f"{user}_id", *(f"{user}__{column}" for column in User.NAME_COLUMNS)]


#: The columns ``ItemRowSerializer`` reads: the item's own, its list's month and unit, and the
#: names of its assignee and lead leader.
ITEM_ROW_COLUMNS = (
    *"id list_id list__month list__unit_id list__unit__name title standard category_id urgent".split(),
    *_user_columns("assignee"),
    *_user_columns("lead_leader"),
    *"""state due_at original_due_at warning_level escalation_level progress_percent result
    assigned_at accepted_at submitted_at completed_at on_time carried_over_from_id sort_order
    created_at updated_at""".split(),
)
#: Fields whose column is ``<field>_id`` (foreign keys shown as ids).
_ID_FIELDS = ("list", "category", "assignee", "lead_leader", "carried_over_from")
#: Datetimes shown as ``ItemSerializer`` shows them.
_DATETIME_FIELDS = (
    "due_at original_due_at assigned_at accepted_at submitted_at completed_at created_at updated_at".split()
)
_DATETIME = serializers.DateTimeField()


def item_rows(items) -> models.QuerySet:
    """``items`` (a queryset, filtered and ordered) as the plain rows ``ItemRowSerializer`` reads."""
    return items.select_related(None).prefetch_related(None).values(*ITEM_ROW_COLUMNS)


def _name(row: dict, user: str) -> str | None:
    if row[f"{user}_id"] is None:
        return None
    return User.name_from(*(row[f"{user}__{column}"] for column in User.NAME_COLUMNS))


def item_row_of(item: Item) -> dict:
    """The row ``item_rows`` gives for ``item``, from an item that holds its list and unit,
    assignee and lead leader (a transition's answer: the item the service read under its lock)."""
    row = {"list__month": item.list.month, "list__unit_id": item.list.unit_id, "list__unit__name": item.list.unit.name}
    for user in ("assignee", "lead_leader"):
        person = getattr(item, user) if getattr(item, f"{user}_id") is not None else None
        for column in User.NAME_COLUMNS:
            row[f"{user}__{column}"] = getattr(person, column) if person is not None else None
    for column in ITEM_ROW_COLUMNS:
        if "__" not in column:
            row[column] = getattr(item, "pk" if column == "id" else column)
    return row


def item_representation(item: Item, co_handler_ids: list[int]) -> dict:
    """``ItemSerializer(item).data`` for an item that holds its related rows (``item_row_of``)
    and the ids of its co-handlers in id order."""
    return item_representations([item_row_of(item)], co_handlers={item.pk: list(co_handler_ids)})[0]


def item_representations(rows, *, co_handlers: dict[int, list] | None = None) -> list[dict]:
    """``ItemSerializer(items, many=True).data`` for the rows of ``item_rows``, without building
    the items, their lists, units and users (a page of 50 items is some 1,500 model instances).
    ``co_handlers`` (item id → user ids) when the caller holds them, else they are read.
    tests/lists/test_item_rows.py holds the two to equality."""
    from .selectors import co_handlers_by_item

    rows = list(rows)
    if co_handlers is None:
        co_handlers = co_handlers_by_item(pk__in=[row["id"] for row in rows])
    now = timezone.now()
    result = []
    for row in rows:
        # foreign keys as ids, datetimes as ItemSerializer writes them
        data = {field: row[f"{field}_id"] for field in _ID_FIELDS}
        data.update({f: _DATETIME.to_representation(row[f]) if row[f] else None for f in _DATETIME_FIELDS})
        result.append(
            {
                "id": row["id"],
                "list": data["list"],
                "list_month": row["list__month"].strftime("%Y-%m"),
                "unit": row["list__unit_id"],
                "unit_name": row["list__unit__name"],
                "title": row["title"],
                "standard": row["standard"],
                "category": data["category"],
                "urgent": row["urgent"],
                "assignee": data["assignee"],
                "assignee_name": _name(row, "assignee"),
                "lead_leader": data["lead_leader"],
                "lead_leader_name": _name(row, "lead_leader"),
                "co_handlers": co_handlers.get(row["id"], []),
                "state": row["state"],
                "due_at": data["due_at"],
                "original_due_at": data["original_due_at"],
                "warning_level": row["warning_level"],
                "escalation_level": row["escalation_level"],
                "is_overdue": row["state"] in Item.OPEN_STATES and row["due_at"] is not None and row["due_at"] < now,
                "progress_percent": row["progress_percent"],
                "result": row["result"],
                "assigned_at": data["assigned_at"],
                "accepted_at": data["accepted_at"],
                "submitted_at": data["submitted_at"],
                "completed_at": data["completed_at"],
                "on_time": row["on_time"],
                "carried_over_from": data["carried_over_from"],
                "sort_order": row["sort_order"],
                "created_at": data["created_at"],
                "updated_at": data["updated_at"],
            }
        )
    return result


class _ItemRowListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        return item_representations(data)


class ItemRowSerializer(serializers.Serializer):
    """Read-only: ``ItemSerializer``'s representation of rows from ``item_rows`` (lists and one
    item's page); writes and the OpenAPI schema use ``ItemSerializer``."""

    class Meta:
        list_serializer_class = _ItemRowListSerializer

    def to_representation(self, instance):
        return item_representations([instance])[0]


class ItemUpdateSerializer(ItemSerializer):
    """PATCH on a draft item: every field but its list."""

    class Meta(ItemSerializer.Meta):
        read_only_fields = [*ItemSerializer.Meta.read_only_fields, "list"]

    def get_fields(self):
        fields = super().get_fields()
        fields["list"] = serializers.PrimaryKeyRelatedField(read_only=True)
        return fields

    def validate(self, attrs):
        _refuse_change(
            self,
            "list",
            self.instance.list_id,
            _("An item stays on its list: delete the draft and add it to the other list."),
        )
        return super().validate(attrs)


class ProgressInputSerializer(CommentInputSerializer):
    text = serializers.CharField(max_length=5000)
    percent = serializers.IntegerField(min_value=0, max_value=100, required=False, allow_null=True, default=None)


class SubmitInputSerializer(CommentInputSerializer):
    result = serializers.CharField(max_length=5000)


class ReassignInputSerializer(ReasonInputSerializer):
    """改派: the cadre who takes the item over (a cadre or leader of the item's unit), and why."""

    assignee = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))

    def validate_assignee(self, assignee):
        item = self.context["object"]
        problem = assignee_error(item.list.unit, assignee)
        if problem:
            raise serializers.ValidationError(problem)
        if assignee.pk == item.assignee_id:
            raise serializers.ValidationError(_("%(name)s already holds this item.") % {"name": assignee})
        return assignee


class CorrectInputSerializer(ReasonInputSerializer):
    """更正: the corrected title, standard or deadline (any of them), and why. A deadline moved
    here is logged as an extension (``extend``)."""

    title = serializers.CharField(max_length=200, required=False)
    standard = serializers.CharField(max_length=5000, required=False)
    due_at = MomentField(required=False)

    def validate_title(self, title: str) -> str:
        if not title.strip():
            raise serializers.ValidationError(_("An item needs a title."))
        return title.strip()

    def validate_due_at(self, due_at):
        if due_at == self.context["object"].due_at:
            return due_at
        errors = deadline_errors(due_at)
        if errors:
            raise serializers.ValidationError([str(e) for e in errors])
        return due_at

    def validate(self, attrs):
        item = self.context["object"]
        if not any(name in attrs and attrs[name] != getattr(item, name) for name in ("title", "standard", "due_at")):
            raise serializers.ValidationError(
                {"non_field_errors": [_("Change the title, the completion standard or the deadline.")]}
            )
        return attrs


def assignee_error(unit, assignee) -> str | None:
    """Why ``assignee`` may not hold an item of ``unit`` (None when they may)."""
    member = Membership.objects.filter(
        user=assignee,
        role__in=[Membership.Role.CADRE, Membership.Role.LEADER],
        unit__path__startswith=unit.path,
    ).exists()
    if member:
        return None
    return _("The responsible cadre must be a member of %(unit)s.") % {"unit": unit.name}


# -- extension requests -------------------------------------------------------------------------


class ExtensionSerializer(serializers.ModelSerializer):
    """延期申请 on an item or on a work order (exactly one of ``item`` / ``issue``)."""

    item = serializers.PrimaryKeyRelatedField(queryset=Item.objects.all(), required=False, allow_null=True)
    issue = serializers.PrimaryKeyRelatedField(queryset=LivelihoodIssue.objects.all(), required=False, allow_null=True)
    new_due_at = MomentField()
    reason = serializers.CharField(max_length=2000)
    requested_by_name = serializers.SerializerMethodField()
    item_title = serializers.SerializerMethodField()
    state = _state_field(ExtensionRequest)

    class Meta:
        model = ExtensionRequest
        fields = [
            "id",
            "item",
            "issue",
            "item_title",
            "state",
            "new_due_at",
            "previous_due_at",
            "reason",
            "requested_by",
            "requested_by_name",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_reason",
        ]
        read_only_fields = [
            "state",
            "previous_due_at",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_reason",
        ]

    def get_requested_by_name(self, extension) -> str:
        return str(extension.requested_by)

    def get_item_title(self, extension) -> str:
        return extension.subject.title if extension.subject is not None else ""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            from issues.selectors import issues_visible_to

            from .selectors import items_visible_to

            fields["item"].queryset = items_visible_to(request.user)
            fields["issue"].queryset = issues_visible_to(request.user)
        return fields

    def validate_reason(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError(_("A reason is required."))
        return value

    def validate(self, attrs):
        item, issue = attrs.get("item"), attrs.get("issue")
        if (item is None) == (issue is None):
            message = _("Give either an item or a work order (issue), not both.")
            raise serializers.ValidationError({"item": [message], "issue": [message]})
        new_due_at = attrs["new_due_at"]
        errors = check(ExtensionRequest(item=item, issue=issue, new_due_at=new_due_at), "new_due_at")
        if errors:
            raise serializers.ValidationError(errors)
        if issue is not None:
            from issues.services import issue_extension_limit

            limit = issue_extension_limit(issue)
            if limit is not None and new_due_at > limit:
                raise serializers.ValidationError(
                    {"new_due_at": [_("A work order may be extended by at most 10 working days.")]}
                )
        return attrs


ReasonInput = ReasonInputSerializer


INBOX_SUBJECT_TYPES = (
    "item",
    "list",
    "extension",
    "pledge",
    "livelihood_issue",
    "supervision_case",
    "activity",
    "finding",
)
INBOX_ACTIONS = (
    ("accept", "item: accept it (签收)"),
    ("work", "item: work on it and submit it"),
    ("verify", "item: verify its completion (the lead leader)"),
    ("publish", "list: publish it"),
    ("close", "list: close it"),
    ("decide_extension", "extension: approve or reject the request"),
    ("review_pledge", "pledge: review it (审诺)"),
    ("revise_pledge", "pledge: revise and resubmit it"),
    ("fulfil_pledge", "pledge: report its fulfilment (践诺)"),
    ("confirm_pledge", "pledge: confirm its fulfilment"),
    ("dispatch", "livelihood_issue: dispatch the order (dispatchers)"),
    ("accept_order", "livelihood_issue: accept the order (handler)"),
    ("handle", "livelihood_issue: handle and resolve the order (handler)"),
    ("follow_up", "livelihood_issue: make the follow-up call (dispatchers)"),
    ("act_on_case", "supervision_case: act on or close the case (commissioners)"),
    ("check_in", "activity: check in (签到, the unit's members)"),
    ("record", "activity: record minutes, parts held and absentees (organisers)"),
    ("make_up", "activity: make up what was missed (补学, the absentee)"),
    ("decide_finding", "finding: accept or dismiss it (commissioners)"),
)


class InboxStepSerializer(serializers.Serializer):
    """A step waiting on the caller: what to do, on which subject, by when, and where."""

    subject_type = serializers.ChoiceField(choices=INBOX_SUBJECT_TYPES, help_text="The kind of subject.")
    subject_id = serializers.IntegerField()
    title = serializers.CharField()
    action = serializers.ChoiceField(choices=INBOX_ACTIONS, help_text="The step to take.")
    due_at = serializers.DateTimeField(allow_null=True, help_text="The subject's deadline (none: last).")
    url = serializers.CharField(help_text="The page of the subject where the step is taken.")
    on_behalf_of = serializers.IntegerField(
        allow_null=True, help_text="The person this step waits on when the caller is their stand-in (代理); else null."
    )
    on_behalf_of_name = serializers.CharField(allow_null=True, help_text="That person's name.")


class DoneStepSerializer(serializers.Serializer):
    """已办: a transition the caller took, on which subject, when, and where it is."""

    subject_type = serializers.ChoiceField(choices=INBOX_SUBJECT_TYPES, help_text="The kind of subject.")
    subject_id = serializers.IntegerField()
    title = serializers.CharField()
    transition = serializers.CharField(help_text="The transition taken (its API name).")
    transition_label = serializers.CharField()
    source = serializers.CharField(help_text="The state before.")
    target = serializers.CharField(help_text="The state after.")
    at = serializers.DateTimeField()
    comment = serializers.CharField(allow_blank=True)
    url = serializers.CharField(help_text="The page of the subject.")


class EvidenceSerializer(serializers.ModelSerializer):
    """An evidence file of an item; ``download`` is the page that serves it to those who may see it."""

    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "original_name", "content_type", "size", "uploaded_by", "uploaded_at", "download"]
        read_only_fields = fields

    def get_download(self, evidence) -> str:
        return reverse("lists:evidence-download", args=[evidence.pk])


class EvidenceUploadSerializer(serializers.Serializer):
    """``multipart/form-data`` with one or several ``file`` parts (HEIC photos become JPEG)."""

    file = serializers.ListField(child=serializers.FileField())
