from django.contrib import admin

from workflows.admin import LoggedDeletionAdmin

from .models import IssueFollowUp, IssuePhoto, IssueProgress, LivelihoodIssue


@admin.register(LivelihoodIssue)
class LivelihoodIssueAdmin(LoggedDeletionAdmin):
    list_display = ("title", "source", "category", "urgency", "state", "unit", "handler", "due_at", "warning_level")
    list_filter = ("state", "source", "category", "urgency", "warning_level")
    search_fields = ("title", "description", "place", "reporter_name")
    readonly_fields = (
        "state",
        "warning_level",
        "escalation_level",
        "dispatched_at",
        "accepted_at",
        "resolved_at",
        "closed_at",
    )
    raw_id_fields = ("place_unit", "unit", "handler", "registered_by")


for model in (IssueProgress, IssueFollowUp, IssuePhoto):
    admin.site.register(model, list_display=("issue", "__str__"), raw_id_fields=("issue",))
