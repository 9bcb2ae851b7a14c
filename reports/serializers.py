from functools import cache

from rest_framework import serializers


class QuarterParamsSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False, help_text="Default: this year.")
    quarter = serializers.IntegerField(min_value=1, max_value=4, required=False, help_text="Default: this quarter.")

    def to_internal_value(self, data):
        # A parameter given empty is a mistake, not a request for the default.
        empty = {name: ["This field may not be blank."] for name in ("year", "quarter") if data.get(name) == ""}
        if empty:
            raise serializers.ValidationError(empty)
        return super().to_internal_value(data)


RATE = {"max_digits": 5, "decimal_places": 4, "allow_null": True, "coerce_to_string": False}
POINTS = {"max_digits": 7, "decimal_places": 2, "coerce_to_string": False}


class FiguresSerializer(serializers.Serializer):
    items_due = serializers.IntegerField()
    accepted_on_time = serializers.IntegerField()
    completed_on_time = serializers.IntegerField()
    overdue_items = serializers.IntegerField()
    overdue_working_days = serializers.IntegerField()
    yellow_cards = serializers.IntegerField()
    red_cards = serializers.IntegerField()
    pledges_due = serializers.IntegerField()
    pledges_fulfilled = serializers.IntegerField()
    issues_due = serializers.IntegerField()
    issues_resolved = serializers.IntegerField()
    issues_resolved_on_time = serializers.IntegerField()
    follow_ups = serializers.IntegerField()
    follow_ups_satisfied = serializers.IntegerField()
    late_verifications = serializers.IntegerField(
        help_text="Items whose lead leader's verification deadline passed before they verified or returned them."
    )
    on_time_acceptance_rate = serializers.DecimalField(**RATE)
    on_time_completion_rate = serializers.DecimalField(**RATE)
    pledge_fulfilment_rate = serializers.DecimalField(**RATE)
    issue_resolution_rate = serializers.DecimalField(**RATE)
    issue_on_time_rate = serializers.DecimalField(**RATE)
    satisfaction_rate = serializers.DecimalField(**RATE)


@cache
def _figure_fields():
    return FiguresSerializer().fields


def figures_data(row) -> dict:
    """``FiguresSerializer(...).data`` of a row, without building a serializer per row: a cluster
    has thousands of rows, and building one took most of the report's time."""
    values = {**row.counts, **row.rates}
    return {
        name: None if values.get(name) is None else field.to_representation(values[name])
        for name, field in _figure_fields().items()
    }


class PartyBuildingSerializer(serializers.Serializer):
    activities_held = serializers.IntegerField()
    required_parts_complete = serializers.DecimalField(**RATE)
    attendance_rate = serializers.DecimalField(**RATE)
    visit_coverage = serializers.DecimalField(**RATE)
    frequency_met = serializers.DecimalField(
        help_text="三会一课 obligations of periods ended in the quarter that were met, over those due",
        **RATE,
    )
    findings_accepted = serializers.IntegerField(help_text="observers' findings accepted into a supervision case")


def party_building_data(row) -> dict:
    """API.md's ``party_building`` of a unit's row: activities held, and the rates of required
    parts complete, attendance and 1+N visit coverage (null when there is nothing to rate)."""
    rates = row.rates
    as_rate = RATE_FIELD.to_representation

    def rate(name):
        value = rates.get(name)
        return None if value is None else as_rate(value)

    return {
        "activities_held": row.counts.get("activities_held", 0),
        "required_parts_complete": rate("required_parts_complete"),
        "attendance_rate": rate("attendance_rate"),
        "visit_coverage": rate("visit_coverage"),
        "frequency_met": rate("frequency_met"),
        "findings_accepted": row.counts.get("findings_accepted", 0),
    }


RATE_FIELD = serializers.DecimalField(**RATE)


class UnitAssessmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="unit.pk")
    name = serializers.CharField(source="unit.name")
    kind = serializers.CharField(source="unit.kind")
    level = serializers.ChoiceField(choices=["unit", "rollup"])
    parent = serializers.IntegerField(source="unit.parent_id", allow_null=True)
    figures = serializers.SerializerMethodField()
    party_building = serializers.SerializerMethodField()
    bonus = serializers.DecimalField(**POINTS)
    deductions = serializers.DecimalField(**POINTS)
    score = serializers.DecimalField(allow_null=True, **POINTS)
    raw_score = serializers.DecimalField(allow_null=True, **POINTS)
    vetoed = serializers.BooleanField()
    veto_reasons = serializers.ListField(child=serializers.CharField())
    rank = serializers.IntegerField(allow_null=True)
    candidate = serializers.BooleanField()

    def get_figures(self, row) -> FiguresSerializer:
        return figures_data(row)

    def get_party_building(self, row) -> PartyBuildingSerializer:
        return party_building_data(row)


class PersonAssessmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user_id")
    username = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.IntegerField(source="unit.pk")
    unit_name = serializers.CharField(source="unit.name")
    figures = serializers.SerializerMethodField()
    base_points = serializers.DecimalField(**POINTS)
    task_points = serializers.DecimalField(**POINTS)
    reward_points = serializers.DecimalField(**POINTS)
    points = serializers.DecimalField(**POINTS)
    grade = serializers.ChoiceField(choices=["excellent", "qualified", "basic", "unqualified"])
    grade_label = serializers.CharField()
    vetoed = serializers.BooleanField()
    rank = serializers.IntegerField(allow_null=True)
    candidate = serializers.BooleanField()

    def get_figures(self, row) -> FiguresSerializer:
        return figures_data(row)


class CandidatesSerializer(serializers.Serializer):
    collectives = serializers.ListField(child=serializers.IntegerField(), help_text="先进集体: unit ids")
    pioneers = serializers.ListField(child=serializers.IntegerField(), help_text="先锋个人: user ids")


class QuarterlyAssessmentSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    quarter = serializers.IntegerField()
    as_of = serializers.DateTimeField()
    scheme_year = serializers.IntegerField(allow_null=True)
    weights = serializers.DictField(
        child=serializers.DecimalField(max_digits=6, decimal_places=2),
        help_text="rate → its weight in the score (of 100), the business and the Party-building figures",
    )
    units = UnitAssessmentSerializer(many=True)
    persons = PersonAssessmentSerializer(many=True)
    candidates = CandidatesSerializer()
