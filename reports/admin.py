from django.contrib import admin

from .models import SCHEME_SECTIONS, MemberReward, ScoringScheme, UnitBonus


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(admin.ModelAdmin):
    list_display = [
        "year",
        "township",
        "weight_on_time_acceptance",
        "weight_on_time_completion",
        "weight_pledge_fulfilment",
    ]
    list_filter = ["township"]
    fieldsets = [(None, {"fields": ["year", "township", "accept_within_working_days"]})] + [
        (label, {"fields": list(fields)}) for label, fields in SCHEME_SECTIONS
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
