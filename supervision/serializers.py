from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lists.models import ResponsibilityItem
from organization.models import Unit
from organization.scoping import scope_for
from workflows.api import CommentInputSerializer
from workflows.sweep import get_target, targets

from .models import SupervisionAction, SupervisionCase
from .selectors import MAX_DAYS_OVERDUE


def _user(user):
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "display_name": str(user)}


class PersonSerializer(serializers.Serializer):
    """A person as the supervision answers name them (the shape ``_user`` writes)."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()


class UnitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class QueueFilterSerializer(serializers.Serializer):
    subject_type = serializers.CharField(required=False, default="item")
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False)
    lead_leader = serializers.IntegerField(required=False, min_value=1)
    days_overdue = serializers.IntegerField(required=False, min_value=0, max_value=MAX_DAYS_OVERDUE)

    def validate_unit(self, unit):
        """A unit of the caller's own township (another township's units are no filter of theirs)."""
        request = self.context.get("request")
        if request is not None and not scope_for(request.user).in_township(unit):
            raise serializers.ValidationError(_("No unit of your township with this id."))
        return unit

    def validate_subject_type(self, value):
        if get_target(value) is None:
            raise serializers.ValidationError(
                _("Unknown subject type; one of: %(types)s.") % {"types": ", ".join(t.kind for t in targets())}
            )
        return value


class QueueRowSerializer(serializers.Serializer):
    """One overdue subject of the queue. The fields describe the answer for the schema;
    ``to_representation`` writes it from a queue row."""

    subject_type = serializers.CharField(help_text="The kind of subject: item, livelihood_issue or pledge.")
    id = serializers.IntegerField()
    title = serializers.CharField()
    state = serializers.CharField(help_text="The subject's state (its resource's state codes).")
    unit = UnitRefSerializer()
    assignee = PersonSerializer(allow_null=True, help_text="Who must act (null when the kind has no such person).")
    lead_leader = PersonSerializer(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    warning_level = serializers.ChoiceField(choices=ResponsibilityItem.Warning.choices)
    escalation_level = serializers.IntegerField(min_value=0, max_value=3)
    days_overdue = serializers.IntegerField()
    open_case = serializers.IntegerField(allow_null=True, help_text="The open supervision case on it, if any.")
    for_committee_meeting = serializers.BooleanField(
        help_text="Its open case is marked for the committee meeting (escalation level 3)."
    )
    url = serializers.CharField(help_text="The subject's page.")

    def to_representation(self, row):
        target = get_target(row.subject_type)
        obj = row.subject

        def related(field_name):
            return _user(getattr(obj, field_name)) if field_name else None

        unit = target.unit_of(obj)
        due = getattr(obj, target.due_field)
        return {
            "subject_type": row.subject_type,
            "id": obj.pk,
            "title": str(obj),
            "state": getattr(obj, target.state_field),
            "unit": {"id": unit.pk, "name": unit.name},
            "assignee": related(target.assignee_field),
            "lead_leader": related(target.lead_leader_field),
            "due_at": timezone.localtime(due).isoformat() if due else None,
            "warning_level": getattr(obj, target.warning_field),
            "escalation_level": getattr(obj, target.escalation_field),
            "days_overdue": row.days_overdue,
            "open_case": row.open_case.pk if row.open_case else None,
            "for_committee_meeting": bool(row.open_case and row.open_case.for_committee_meeting),
            "url": row.url,
        }


class SupervisionActionSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = SupervisionAction
        fields = ["id", "action", "level", "note", "actor", "at"]

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_actor(self, action) -> dict | None:
        return _user(action.actor)


class SupervisionCaseSerializer(serializers.ModelSerializer):
    unit = serializers.SerializerMethodField()
    opened_by = serializers.SerializerMethodField()
    closed_by = serializers.SerializerMethodField()
    responsible = serializers.SerializerMethodField(
        help_text="The discipline body that owns the case: the district's work committee, or the township's "
        "discipline committee once it took the case over (escalation level 2); null for a case a commissioner opened."
    )
    actions = SupervisionActionSerializer(many=True, read_only=True)

    class Meta:
        model = SupervisionCase
        fields = [
            "id",
            "subject_type",
            "object_id",
            "subject_title",
            "unit",
            "state",
            "source",
            "escalation_level",
            "responsible",
            "for_committee_meeting",
            "marked_for_meeting_at",
            "reason",
            "opened_by",
            "opened_at",
            "conclusion",
            "closed_by",
            "closed_at",
            "actions",
        ]
        read_only_fields = fields

    @extend_schema_field(UnitRefSerializer)
    def get_unit(self, case) -> dict:
        return {"id": case.unit_id, "name": case.unit.name}

    @extend_schema_field(UnitRefSerializer(allow_null=True))
    def get_responsible(self, case) -> dict | None:
        body = case.responsible
        return {"id": body.pk, "name": body.name} if body else None

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_opened_by(self, case) -> dict | None:
        return _user(case.opened_by)

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_closed_by(self, case) -> dict | None:
        return _user(case.closed_by)


class CaseCreateSerializer(serializers.Serializer):
    subject_type = serializers.CharField(max_length=30)
    subject_id = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(max_length=2000)

    def validate(self, data):
        from .selectors import subject_in_jurisdiction

        target = get_target(data["subject_type"])
        if target is None:
            raise serializers.ValidationError({"subject_type": [_("Unknown subject type.")]})
        subject = subject_in_jurisdiction(self.context["request"].user, target, data["subject_id"])
        if subject is None:
            raise serializers.ValidationError({"subject_id": [_("No such subject in your jurisdiction.")]})
        data["subject"] = subject
        return data


class ActInputSerializer(CommentInputSerializer):
    action = serializers.ChoiceField(choices=SupervisionAction.Kind.choices)
    note = serializers.CharField(max_length=2000)


class CaseCloseInputSerializer(CommentInputSerializer):
    conclusion = serializers.CharField(max_length=4000)
