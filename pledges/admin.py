from django.contrib import admin

from workflows.admin import LoggedDeletionAdmin

from .models import Pledge, PledgeCheck, PledgeEvaluation


@admin.register(Pledge)
class PledgeAdmin(LoggedDeletionAdmin):
    """State changes only through the pages and API (the transitions); admins correct the rest."""

    list_display = ("text", "member", "unit", "year", "category", "state", "due_date", "warning_level")
    list_filter = ("state", "category", "year", "warning_level")
    search_fields = ("text", "member__username", "member__display_name")
    readonly_fields = (
        "state",
        "warning_level",
        "escalation_level",
        "submitted_at",
        "approved_at",
        "claimed_at",
        "closed_at",
    )
    raw_id_fields = ("member", "unit", "reviewed_by", "confirmed_by")


for model in (PledgeCheck, PledgeEvaluation):
    admin.site.register(model, list_display=("pledge", "__str__"), raw_id_fields=("pledge",))
