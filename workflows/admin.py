from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.db import transaction

from .audit import append_log
from .calendar import calendar_warnings
from .models import AuditCheckpoint, CalendarOverride, DeadlinePolicy, EscalationEvent, TransitionLog


def log_deletion(obj, *, actor, via: str) -> None:
    """Append ``obj``'s last log row, its deletion (the row outlives the object)."""
    append_log(
        obj,
        transition="delete",
        source=getattr(obj, "state", "") or "",
        target="deleted",
        actor=actor,
        payload={"via": via, "object": str(obj)},
    )


class LoggedDeletionAdmin(admin.ModelAdmin):
    """For a stateful model: an administrator's deletion is the last row of the object's log,
    written in the deletion's transaction."""

    def delete_model(self, request, obj):
        with transaction.atomic():
            log_deletion(obj, actor=request.user, via="admin")
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)


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


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdmin):
    """Read-only: signed checkpoints of the log's head, written by the beat and ``verify_audit``."""

    list_display = ("at", "position", "row_count")
    date_hierarchy = "at"


@admin.register(LogEntry)
class AdminLogEntryAdmin(ReadOnlyAdmin):
    """What administrators changed and deleted in these pages (Django's own record, which keeps
    a deleted object's type, id and name), read-only; a stateful object's deletion is also the
    last row of its transition log."""

    list_display = ("action_time", "user", "action_flag", "content_type", "object_id", "object_repr")
    list_filter = ("action_flag", "content_type")
    search_fields = ("object_repr", "change_message")
    date_hierarchy = "action_time"
    list_select_related = ("user", "content_type")


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
        "level2_after_overdue_working_days",
        "level3_after_overdue_working_days",
        "verify_within_working_days",
        "township",
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
