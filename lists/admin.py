from django.contrib import admin
from django.db import transaction

from workflows.admin import LoggedDeletionAdmin

from . import services
from .models import (
    Comment,
    Evidence,
    ExtensionRequest,
    ItemProcess,
    ListProcess,
    ProgressReport,
    RecurringItemTemplate,
    ResponsibilityItem,
    ResponsibilityList,
    TaskCategory,
)


@admin.register(TaskCategory)
class TaskCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(RecurringItemTemplate)
class RecurringItemTemplateAdmin(admin.ModelAdmin):
    list_display = ("title", "unit", "category", "cadence", "due_day", "default_assignee", "lead_leader", "active")
    list_filter = ("active", "cadence", "category")
    search_fields = ("title", "unit__name")
    raw_id_fields = ("unit", "default_assignee", "lead_leader")


class ItemInline(admin.TabularInline):
    model = ResponsibilityItem
    fields = ("title", "assignee", "lead_leader", "due_at", "state", "warning_level")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


class DraftDeletionAdmin(admin.ModelAdmin):
    """Deleting goes through the service: drafts only, never carried-over work, and logged."""

    def delete_through_service(self, obj, actor) -> None:
        raise NotImplementedError

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or obj.deletion_blocker() is None)

    def delete_model(self, request, obj):
        self.delete_through_service(obj, request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_through_service(obj, request.user)


@admin.register(ResponsibilityList)
class ResponsibilityListAdmin(DraftDeletionAdmin):
    """State is read-only here: it changes only through the services (and their log)."""

    list_display = ("title", "unit", "month", "state")
    list_filter = ("state", "month")
    search_fields = ("title", "unit__name")
    readonly_fields = ("state", "created_by", "created_at", "published_at", "closed_at")
    raw_id_fields = ("unit",)
    inlines = [ItemInline]

    def delete_through_service(self, obj, actor):
        services.list_delete_draft(lst=obj, actor=actor)


@admin.register(ResponsibilityItem)
class ResponsibilityItemAdmin(DraftDeletionAdmin):
    list_display = ("title", "list", "assignee", "state", "due_at", "warning_level", "escalation_level")
    list_filter = ("state", "warning_level", "category")
    search_fields = ("title", "assignee__username", "assignee__display_name")
    list_select_related = ("list", "assignee")
    raw_id_fields = ("list", "assignee", "lead_leader", "co_handlers", "carried_over_from", "created_by")

    def delete_through_service(self, obj, actor):
        services.item_delete_draft(item=obj, actor=actor)

    readonly_fields = (
        "state",
        "warning_level",
        "escalation_level",
        "original_due_at",
        "assigned_at",
        "accepted_at",
        "submitted_at",
        "completed_at",
        "suspended_at",
        "on_time",
    )


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(LoggedDeletionAdmin):
    list_display = ("item", "requested_by", "new_due_at", "state", "requested_at")
    list_filter = ("state",)
    readonly_fields = ("state", "decided_by", "decided_at")
    raw_id_fields = ("item", "requested_by")


for model in (ProgressReport, Evidence, Comment):
    admin.site.register(model, list_display=("item", "__str__"), raw_id_fields=("item",))


@admin.register(ListProcess, ItemProcess)
class ProcessAdmin(admin.ModelAdmin):
    """The flows' processes, for inspection; they move only with their list or item."""

    list_display = ("pk", "__str__", "status", "created", "finished")
    list_filter = ("status",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
