from django.contrib import admin, messages

from .calendar import calendar_warnings
from .models import CalendarOverride, DeadlinePolicy, EscalationEvent, TransitionLog


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that change only through their services (transitions, the log): administrators
    read them and nothing else."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TransitionLog)
class TransitionLogAdmin(ReadOnlyAdmin):
    """Read-only: the log is append-only, even for administrators."""

    list_display = ("at", "content_type", "object_id", "transition", "source", "target", "actor")
    list_filter = ("content_type", "transition")
    search_fields = ("comment",)
    date_hierarchy = "at"


class CalendarWarningMixin:
    """Tells admins when a year falls back to Monday–Friday (the holiday library stops)."""

    def changelist_view(self, request, extra_context=None):
        for warning in calendar_warnings():
            messages.warning(request, warning)
        return super().changelist_view(request, extra_context)


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(CalendarWarningMixin, admin.ModelAdmin):
    list_display = ("date", "unit", "is_working_day", "note")
    list_filter = ("is_working_day", "unit")
    date_hierarchy = "date"
    search_fields = ("note",)
    autocomplete_fields = ("unit",)


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(CalendarWarningMixin, admin.ModelAdmin):
    list_display = (
        "kind",
        "category_code",
        "urgent",
        "accept_within_working_days",
        "accept_within_hours",
        "blue_before_due_working_days",
        "blue_at_percent_time_used",
        "red_after_due_working_days",
        "escalate_after_overdue_working_days",
        "escalation_step_working_days",
    )
    list_filter = ("kind", "urgent")


@admin.register(EscalationEvent)
class EscalationEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "content_type", "object_id", "level", "due_at", "as_of")
    list_filter = ("content_type", "level")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
