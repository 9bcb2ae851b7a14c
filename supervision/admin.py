from django.contrib import admin

from workflows.admin import ReadOnlyAdmin

from .models import SupervisionAction, SupervisionCase


class SupervisionActionInline(admin.TabularInline):
    model = SupervisionAction
    extra = 0
    readonly_fields = ("action", "level", "note", "actor", "at")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SupervisionCase)
class SupervisionCaseAdmin(ReadOnlyAdmin):
    """Read-only: cases change only through their transitions (services)."""

    list_display = ("pk", "subject_title", "subject_type", "unit", "state", "source", "opened_at", "closed_at")
    list_filter = ("state", "source", "subject_type")
    search_fields = ("subject_title", "reason", "conclusion")
    date_hierarchy = "opened_at"
    inlines = [SupervisionActionInline]


@admin.register(SupervisionAction)
class SupervisionActionAdmin(ReadOnlyAdmin):
    """Cards and talks as recorded; read-only (they count in the quarterly assessment)."""

    list_display = ("case", "action", "level", "actor", "at")
    list_filter = ("action",)
    search_fields = ("note",)
