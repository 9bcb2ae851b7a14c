"""Serializers of ``activities/``, ``visits/`` and ``findings/`` (API.md)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from issues.models import LivelihoodIssue
from organization.models import Pairing, Unit, User
from organization.scoping import scope_for
from workflows.api import CommentInputSerializer, MomentField
from workflows.bounds import validate_in_range

from .models import Activity, ActivityPart, Finding, Visit, is_member_of
from .selectors import activity_detail, party_units_of, required_parts_by_kind


class TownshipUnitField(serializers.PrimaryKeyRelatedField):
    """A unit of the caller's township (others do not exist for them: 400 "invalid pk")."""

    def get_queryset(self):
        user = self.context["request"].user
        return Unit.objects.filter(scope_for(user).township_q())


class AttendanceRowSerializer(serializers.Serializer):
    user = serializers.IntegerField()
    name = serializers.CharField()
    checked_in_at = serializers.DateTimeField()


class AbsenteeRowSerializer(serializers.Serializer):
    user = serializers.IntegerField()
    name = serializers.CharField()
    reason = serializers.CharField()
    made_up_at = serializers.DateTimeField(allow_null=True, help_text="When the make-up (补学) was done.")


def validated_photos(files) -> list:
    """``showcases.checked_photos`` for a serializer: its messages as the field's errors."""
    from django.core.exceptions import ValidationError as DjangoValidationError

    from .showcases import checked_photos

    try:
        return checked_photos(files)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from exc


def photo_urls(subject) -> list[str]:
    return [photo.image.url for photo in subject.photos.all()]


class ActivitySerializer(serializers.ModelSerializer):
    unit = TownshipUnitField()
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    scheduled_at = MomentField(validators=[validate_in_range])
    organiser = serializers.IntegerField(source="organiser_id", read_only=True)
    required_parts = serializers.SerializerMethodField(help_text="The codes of the parts this kind requires.")
    attendance = serializers.SerializerMethodField()
    absentees = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField(help_text="URLs of the record's photos")

    class Meta:
        model = Activity
        fields = [
            "id",
            "unit",
            "unit_name",
            "kind",
            "kind_label",
            "title",
            "scheduled_at",
            "place",
            "state",
            "organiser",
            "minutes",
            "parts",
            "result",
            "recorded_at",
            "cancel_reason",
            "required_parts",
            "attendance",
            "absentees",
            "photos",
        ]
        read_only_fields = ["state", "minutes", "parts", "result", "recorded_at", "cancel_reason"]

    def validate_unit(self, unit: Unit) -> Unit:
        if unit.kind not in Unit.PARTY_ORGANISATION_KINDS:
            raise serializers.ValidationError(_("Activities are held by a Party branch, group or temporary branch."))
        return unit

    def validate_title(self, title: str) -> str:
        if not title.strip():
            raise serializers.ValidationError(_("This field may not be blank."))
        return title

    def _detail(self, activity) -> dict:
        """Required parts, attendance and absentees, read once per activity (the required parts
        once per list: a child's context is its list's)."""
        if "_required_parts" not in self.context:
            self.context["_required_parts"] = required_parts_by_kind()
        details = self.context.setdefault("_activity_details", {})
        if (activity.pk, activity.state) not in details:
            details[(activity.pk, activity.state)] = activity_detail(activity, self.context["_required_parts"])
        return details[(activity.pk, activity.state)]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_required_parts(self, activity) -> list[str]:
        return self._detail(activity)["required_parts"]

    @extend_schema_field(AttendanceRowSerializer(many=True))
    def get_attendance(self, activity) -> list[dict]:
        return AttendanceRowSerializer(self._detail(activity)["attendance"], many=True).data

    @extend_schema_field(AbsenteeRowSerializer(many=True))
    def get_absentees(self, activity) -> list[dict]:
        return AbsenteeRowSerializer(self._detail(activity)["absentees"], many=True).data

    def get_photos(self, activity) -> list[str]:
        return photo_urls(activity)


class AbsenteeSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    reason = serializers.CharField(max_length=200)


class RecordInputSerializer(CommentInputSerializer):
    minutes = serializers.CharField(max_length=20000)
    parts = serializers.ListField(child=serializers.SlugField(max_length=40), allow_empty=True, max_length=50)
    absentees = AbsenteeSerializer(many=True, required=False, default=list, max_length=500)
    result = serializers.CharField(
        max_length=200, required=False, default="", allow_blank=True, help_text="a training's result (考核合格 …)"
    )

    def validate_parts(self, parts: list[str]) -> list[str]:
        known = set(ActivityPart.objects.filter(code__in=parts).values_list("code", flat=True))
        unknown = [code for code in parts if code not in known]
        if unknown:
            raise serializers.ValidationError(_("Unknown parts: %(codes)s.") % {"codes": ", ".join(unknown)})
        activity: Activity = self.context["object"]
        missing = [code for code in activity.required_parts if code not in parts]
        if missing:
            names = dict(ActivityPart.objects.filter(code__in=missing).values_list("code", "name"))
            raise serializers.ValidationError(
                _("Required parts missing: %(parts)s.")
                % {"parts": ", ".join(f"{code} ({names.get(code, code)})" for code in missing)}
            )
        return list(dict.fromkeys(parts))

    def validate_absentees(self, absentees: list[dict]) -> list[dict]:
        activity: Activity = self.context["object"]
        checked_in = set(activity.attendance.values_list("user_id", flat=True))
        seen = set()
        for absentee in absentees:
            user = absentee["user"]
            if user.pk in seen:
                raise serializers.ValidationError(_("%(name)s is listed twice.") % {"name": user})
            seen.add(user.pk)
            if not is_member_of(user, activity.unit):
                raise serializers.ValidationError(_("%(name)s is not a member of this unit.") % {"name": user})
            if user.pk in checked_in:
                raise serializers.ValidationError(_("%(name)s checked in: not absent.") % {"name": user})
        return absentees


class CancelInputSerializer(CommentInputSerializer):
    reason = serializers.CharField(max_length=2000)


class MakeupInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class VisitIssueSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    category = serializers.CharField(max_length=30, required=False, default="other")
    urgency = serializers.ChoiceField(choices=LivelihoodIssue.Urgency.choices, required=False, default="normal")

    def validate_category(self, value: str) -> str:
        from issues.models import LivelihoodIssue

        if value not in LivelihoodIssue.Category.values:
            raise serializers.ValidationError(
                _("Unknown category; one of: %(codes)s.") % {"codes": ", ".join(LivelihoodIssue.Category.values)}
            )
        return value


class VisitSerializer(serializers.ModelSerializer):
    unit = TownshipUnitField()
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    branch = serializers.IntegerField(source="branch_id", read_only=True)
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    visitor = serializers.IntegerField(source="visitor_id", read_only=True)
    visitor_name = serializers.CharField(source="visitor.name", read_only=True)
    issues = VisitIssueSerializer(many=True, required=False, write_only=True, max_length=20)
    issue_ids = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    photos = serializers.SerializerMethodField(help_text="URLs of the visit's photos")

    class Meta:
        model = Visit
        fields = [
            "id",
            "unit",
            "unit_name",
            "branch",
            "branch_name",
            "visitor",
            "visitor_name",
            "visited_on",
            "companions",
            "notes",
            "issues",
            "issue_ids",
            "photos",
            "created_at",
        ]

    def get_photos(self, visit) -> list[str]:
        return photo_urls(visit)

    def validate_visited_on(self, value):
        from django.utils import timezone

        if value > timezone.localdate():
            raise serializers.ValidationError(_("A visit is logged after it took place."))
        validate_in_range(value)
        return value

    def validate_notes(self, notes: str) -> str:
        if not notes.strip():
            raise serializers.ValidationError(_("This field may not be blank."))
        return notes

    def validate(self, data):
        user = self.context["request"].user
        unit = data["unit"]
        if unit.kind not in Unit.PAIRED_KINDS:
            raise serializers.ValidationError({"unit": _("Visits are to villages, communities and enterprises.")})
        branches = [u.pk for u in party_units_of(user) if u.kind == Unit.Kind.BRANCH]
        pairing = (
            Pairing.objects.filter(partner=unit, branch_id__in=branches).select_related("branch").order_by("pk").first()
        )
        if pairing is None:
            raise serializers.ValidationError({"unit": _("This unit is not paired with your branch (1+N).")})
        data["branch"] = pairing.branch
        return data


class FindingSerializer(serializers.ModelSerializer):
    unit = TownshipUnitField()
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    filed_by = serializers.IntegerField(source="filed_by_id", read_only=True)
    case = serializers.IntegerField(
        source="case_id",
        read_only=True,
        allow_null=True,
        help_text="The supervision case opened when the finding was accepted.",
    )

    class Meta:
        model = Finding
        fields = [
            "id",
            "unit",
            "unit_name",
            "title",
            "description",
            "state",
            "filed_by",
            "filed_at",
            "decided_at",
            "dismiss_reason",
            "case",
        ]
        read_only_fields = ["state", "filed_at", "decided_at", "dismiss_reason"]

    def validate(self, data):
        for name in ("title", "description"):
            if name in data and not data[name].strip():
                raise serializers.ValidationError({name: _("This field may not be blank.")})
        return data


class FrequencyObligationSerializer(serializers.ModelSerializer):
    """A branch's 三会一课 obligation of one period (read-only: the sweep and ``record`` move it)."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        from .models import FrequencyObligation

        model = FrequencyObligation
        fields = [
            "id",
            "unit",
            "unit_name",
            "kind",
            "title",
            "period_start",
            "period_end",
            "state",
            "due_at",
            "warning_level",
            "escalation_level",
            "activity",
            "met_at",
        ]
        read_only_fields = fields


class ShowcasePostSerializer(serializers.ModelSerializer):
    """干事担当亮初心: a member's post on their branch's showcase (photos as ``multipart`` files)."""

    unit = TownshipUnitField()
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    author = serializers.IntegerField(source="author_id", read_only=True)
    author_name = serializers.CharField(source="author.__str__", read_only=True)
    photos = serializers.SerializerMethodField()
    files = serializers.ListField(
        child=serializers.FileField(), write_only=True, required=False, help_text="photos (JPEG, PNG, HEIC)"
    )

    class Meta:
        from .models import ShowcasePost

        model = ShowcasePost
        fields = [
            "id",
            "unit",
            "unit_name",
            "author",
            "author_name",
            "month",
            "title",
            "text",
            "state",
            "nomination",
            "photos",
            "files",
            "created_at",
        ]
        read_only_fields = ["month", "state", "nomination", "created_at"]

    def get_photos(self, post) -> list[str]:
        return photo_urls(post)

    def validate_unit(self, unit):
        if not is_member_of(self.context["request"].user, unit):
            raise serializers.ValidationError(_("Only the branch's members post on its showcase."))
        return unit

    def validate_files(self, files):
        return validated_photos(files)


class HonourSerializer(serializers.ModelSerializer):
    """An honour from outside (省优秀共产党员 …, with its date and awarding body) or the committee's
    selection of the quarter (党员先锋 of a member, 先进集体 of a unit)."""

    unit = TownshipUnitField()
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    member = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)

    class Meta:
        from .models import Honour

        model = Honour
        fields = ["id", "kind", "title", "body", "awarded_on", "member", "unit", "unit_name", "post"]
        read_only_fields = ["post"]

    def validate(self, data):
        from .models import Honour

        member, unit = data.get("member"), data["unit"]
        if member is not None and not is_member_of(member, unit):
            raise serializers.ValidationError({"member": [_("This person is not a member of the unit.")]})
        if data.get("kind") == Honour.Kind.VANGUARD and member is None:
            raise serializers.ValidationError({"member": [_("A vanguard member is a person: name them.")]})
        if data.get("kind") == Honour.Kind.ADVANCED_COLLECTIVE and member is not None:
            raise serializers.ValidationError({"member": [_("An advanced collective is the unit itself.")]})
        return data


class BrandAchievementSerializer(serializers.Serializer):
    title = serializers.CharField()
    achieved_on = serializers.DateField()
    description = serializers.CharField()


class BrandSerializer(serializers.ModelSerializer):
    """一个支部一品牌: a branch's brand and its achievements."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)
    achievements = BrandAchievementSerializer(many=True, read_only=True)

    class Meta:
        from .models import Brand

        model = Brand
        fields = ["id", "unit", "unit_name", "name", "slogan", "stands_for", "achievements"]
        read_only_fields = fields


class PhotosInputSerializer(serializers.Serializer):
    """Photos as multipart ``files`` (JPEG, PNG; a phone's HEIC becomes a JPEG)."""

    files = serializers.ListField(child=serializers.FileField(), allow_empty=False, max_length=9)

    def validate_files(self, files):
        return validated_photos(files)
