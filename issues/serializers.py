"""Serializers of the ``livelihood-issues/`` API and the inputs of its transitions."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from organization.models import Membership, Unit, User
from organization.scoping import scope_for
from workflows.api import CommentInputSerializer, ReasonInputSerializer
from workflows.bounds import check
from workflows.images import normalize_photo

from .models import PLACE_KINDS, IssuePhoto, LivelihoodIssue, phone_validator
from .selectors import possible_duplicates

Issue = LivelihoodIssue


def resolve_place(value, user) -> tuple[Unit | None, str]:
    """``place`` is a village / community / enterprise unit id or free text: units of the
    caller's township only (another township's village is no place of theirs)."""
    text = str(value).strip()
    places = Unit.objects.filter(scope_for(user).township_q(), kind__in=PLACE_KINDS)
    # An id is ASCII digits; "²" or "٣" are digits to str.isdigit() but not to int().
    if text.isascii() and text.isdigit():
        unit = places.filter(pk=int(text)).first()
        if unit is None:
            raise serializers.ValidationError(_("No village, community or enterprise with this id."))
        return unit, ""
    unit = places.filter(name=text).first()
    return (unit, "") if unit else (None, text)


class UserBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "display_name"]


class IssuePhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = IssuePhoto
        fields = ["id", "original_name", "content_type", "size", "uploaded_at", "url"]

    def get_url(self, photo) -> str:
        from django.urls import reverse

        return reverse("issues:issue-photo", args=[photo.pk])


class IssueSerializer(serializers.ModelSerializer):
    place = serializers.CharField(max_length=200, write_only=True)
    place_name = serializers.CharField(source="place", read_only=True)
    reporter_phone = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="Input: a mainland mobile (11 digits) or landline number. Answer: the full number for "
        "the order's dispatchers and handler, masked (138****1234) for everyone else; empty when none.",
    )
    handler = UserBriefSerializer(read_only=True, allow_null=True)
    registered_by = UserBriefSerializer(read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    # Empty until the order is resolved / followed up.
    resolution = serializers.ChoiceField(choices=Issue.Resolution.choices, read_only=True, allow_blank=True)
    satisfaction = serializers.ChoiceField(choices=Issue.Satisfaction.choices, read_only=True, allow_blank=True)

    class Meta:
        model = Issue
        fields = [
            "id",
            "title",
            "description",
            "source",
            "place",
            "place_name",
            "place_unit",
            "category",
            "urgency",
            "reporter_name",
            "reporter_phone",
            "registered_by",
            "state",
            "unit",
            "handler",
            "accept_due_at",
            "due_at",
            "original_due_at",
            "warning_level",
            "escalation_level",
            "is_overdue",
            "reported_at",
            "dispatched_at",
            "accepted_at",
            "resolved_at",
            "closed_at",
            "on_time",
            "result",
            "resolution",
            "remaining_plan",
            "remaining_due_date",
            "satisfaction",
            "last_rejection_reason",
            "close_reason",
        ]
        read_only_fields = [f for f in fields if f not in ("title", "description", "source", "place", "category", "urgency", "reporter_name", "reporter_phone")]  # fmt: skip

    def validate_reporter_phone(self, value: str) -> str:
        # Checked here rather than as a field validator: the schema would otherwise give the
        # answer (often masked) the input's pattern.
        if value:
            try:
                phone_validator(value)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages) from exc
        return value

    def validate_place(self, value):
        request = self.context.get("request")
        return resolve_place(value, getattr(request, "user", None))

    def to_representation(self, issue):
        data = super().to_representation(issue)
        request = self.context.get("request")
        data["reporter_phone"] = issue.phone_for(getattr(request, "user", None))
        return data


class IssueDetailSerializer(IssueSerializer):
    possible_duplicates = serializers.SerializerMethodField()
    photos = IssuePhotoSerializer(many=True, read_only=True)
    co_units = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta(IssueSerializer.Meta):
        fields = [*IssueSerializer.Meta.fields, "co_units", "photos", "possible_duplicates"]

    def get_possible_duplicates(self, issue) -> list[dict]:
        if issue.state != Issue.State.REPORTED:
            return []
        return [
            {"id": d.pk, "title": d.title, "state": d.state, "place": d.place}
            for d in possible_duplicates(issue, self._caller())
        ]

    def _caller(self):
        return getattr(self.context.get("request"), "user", None)


class AnswerInputSerializer(CommentInputSerializer):
    result = serializers.CharField(max_length=4000)


class DispatchInputSerializer(CommentInputSerializer):
    handler = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    co_units = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), many=True, required=False)

    def validate(self, attrs):
        if not Membership.objects.filter(user=attrs["handler"], unit=attrs["unit"]).exists():
            raise serializers.ValidationError({"handler": _("The handler must belong to the handling unit.")})
        if attrs["unit"] in attrs.get("co_units", []):
            raise serializers.ValidationError({"co_units": _("The handling unit cannot also co-handle.")})
        issue = self.context.get("object")
        if issue is not None:
            townships = tuple(issue.township_paths())
            if not attrs["unit"].path.startswith(townships):
                raise serializers.ValidationError({"unit": _("The handling unit must belong to the order's township.")})
            if any(not u.path.startswith(townships) for u in attrs.get("co_units", [])):
                raise serializers.ValidationError(
                    {"co_units": _("Co-handling units must belong to the order's township.")}
                )
        return attrs


class IssueProgressInputSerializer(CommentInputSerializer):
    text = serializers.CharField(max_length=4000)


class ResolveInputSerializer(CommentInputSerializer):
    result = serializers.CharField(max_length=4000)
    resolution = serializers.ChoiceField(choices=Issue.Resolution.choices)
    remaining_plan = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    remaining_due_date = serializers.DateField(required=False, allow_null=True, default=None)

    def validate(self, attrs):
        if attrs["resolution"] == Issue.Resolution.STAGED:
            errors = {}
            if not attrs.get("remaining_plan", "").strip():
                errors["remaining_plan"] = _("A staged resolution needs a plan for the rest.")
            if not attrs.get("remaining_due_date"):
                errors["remaining_due_date"] = _("A staged resolution needs a date for the rest.")
            else:
                errors.update(check(Issue(remaining_due_date=attrs["remaining_due_date"]), "remaining_due_date"))
            if errors:
                raise serializers.ValidationError(errors)
        return attrs


class FollowUpInputSerializer(CommentInputSerializer):
    satisfaction = serializers.ChoiceField(choices=Issue.Satisfaction.choices)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class PhotoUploadSerializer(serializers.Serializer):
    file = serializers.FileField()

    def validate_file(self, upload):
        """The photo to store: checked by content, a HEIC converted to JPEG."""
        try:
            photo, self.context["content_type"] = normalize_photo(upload)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return photo


TRANSITION_INPUTS = {
    "answer": AnswerInputSerializer,
    "dispatch": DispatchInputSerializer,
    "reject": ReasonInputSerializer,
    "report_progress": IssueProgressInputSerializer,
    "resolve": ResolveInputSerializer,
    "follow_up": FollowUpInputSerializer,
    "close": ReasonInputSerializer,
    "cancel": ReasonInputSerializer,
}
