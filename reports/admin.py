from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import MemberReward, ScoringScheme, UnitBonus


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(admin.ModelAdmin):
    list_display = ["year", "weight_on_time_acceptance", "weight_on_time_completion", "weight_pledge_fulfilment"]
    fieldsets = [
        (None, {"fields": ["year", "accept_within_working_days"]}),
        (
            _("Weights"),
            {"fields": ["weight_on_time_acceptance", "weight_on_time_completion", "weight_pledge_fulfilment"]},
        ),
        (
            _("Deductions and veto"),
            {
                "fields": [
                    "deduction_per_overdue_item",
                    "deduction_per_overdue_working_day",
                    "deduction_per_yellow_card",
                    "deduction_per_red_card",
                    "veto_on_red_card",
                    "veto_overdue_items",
                ]
            },
        ),
        (
            _("Party-member points and grades"),
            {
                "fields": [
                    "member_base_points",
                    "member_points_per_on_time_item",
                    "member_points_per_pledge_fulfilled",
                    "member_points_per_overdue_item",
                    "member_points_per_card",
                    "grade_excellent_min",
                    "grade_qualified_min",
                    "grade_basic_min",
                ]
            },
        ),
        (
            _("Recognition"),
            {"fields": ["collective_top_n", "collective_min_score", "pioneer_top_n", "pioneer_min_points"]},
        ),
    ]


@admin.register(UnitBonus)
class UnitBonusAdmin(admin.ModelAdmin):
    list_display = ["unit", "year", "quarter", "points", "reason"]
    list_filter = ["year", "quarter"]
    autocomplete_fields = ["unit"]


@admin.register(MemberReward)
class MemberRewardAdmin(admin.ModelAdmin):
    list_display = ["member", "year", "quarter", "points", "reason"]
    list_filter = ["year", "quarter"]
    autocomplete_fields = ["member"]
