from django.contrib import admin

from .models import (
    Absence,
    Activity,
    ActivityFrequency,
    ActivityPart,
    Attendance,
    Brand,
    Finding,
    FrequencyObligation,
    Honour,
    RequiredPart,
    Rotation,
    ShowcasePost,
    Visit,
)


class RequiredPartInline(admin.TabularInline):
    model = RequiredPart
    extra = 1


@admin.register(ActivityPart)
class ActivityPartAdmin(admin.ModelAdmin):
    """规定动作 per kind of activity: the office edits which parts each kind requires."""

    list_display = ["code", "name", "sort_order"]
    inlines = [RequiredPartInline]


@admin.register(RequiredPart)
class RequiredPartAdmin(admin.ModelAdmin):
    list_display = ["kind", "part"]
    list_filter = ["kind"]


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    readonly_fields = ["user", "checked_in_at"]


class AbsenceInline(admin.TabularInline):
    model = Absence
    extra = 0
    readonly_fields = ["user", "reason", "makeup_note", "makeup_done_at"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "unit", "kind", "scheduled_at", "state"]
    list_filter = ["kind", "state"]
    search_fields = ["title"]
    readonly_fields = ["state", "minutes", "parts", "recorded_at", "recorded_by", "cancel_reason", "organiser"]
    inlines = [AttendanceInline, AbsenceInline]


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["unit", "visitor", "branch", "visited_on"]
    list_filter = ["visited_on"]


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ["title", "unit", "filed_by", "filed_at", "state"]
    list_filter = ["state"]
    readonly_fields = ["state", "decided_by", "decided_at", "dismiss_reason", "case_id"]


@admin.register(ActivityFrequency)
class ActivityFrequencyAdmin(admin.ModelAdmin):
    """三会一课: how often each kind must be held at least (the office edits)."""

    list_display = ["kind", "period"]


@admin.register(FrequencyObligation)
class FrequencyObligationAdmin(admin.ModelAdmin):
    list_display = ("title", "unit", "kind", "period_start", "state", "warning_level", "escalation_level")
    list_filter = ("kind", "state", "warning_level")
    readonly_fields = ("state",)


@admin.register(ShowcasePost)
class ShowcasePostAdmin(admin.ModelAdmin):
    list_display = ("title", "unit", "author", "month", "state")
    list_filter = ("state",)
    readonly_fields = ("state",)


@admin.register(Honour)
class HonourAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "member", "unit", "body", "awarded_on")
    list_filter = ("kind",)


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "slogan")


@admin.register(Rotation)
class RotationAdmin(admin.ModelAdmin):
    list_display = ("worker", "from_post", "to_post", "starts_on", "months")
