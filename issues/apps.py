from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def register_deadline_defaults() -> None:
    """DESIGN.md's table for work orders, for when no ``DeadlinePolicy`` row exists."""
    from workflows.policies import Policy, register_defaults

    register_defaults(
        "issue",
        normal=Policy(accept_within_working_days=1, blue_before_due_working_days=1),
        urgent=Policy(
            accept_within_hours=2,
            blue_before_due_working_days=0,
            escalate_after_overdue_working_days=1,
            level2_after_overdue_working_days=4,
            level3_after_overdue_working_days=8,
            resolve_within_working_days=1,
        ),
    )


class IssuesConfig(AppConfig):
    name = "issues"
    verbose_name = _("Livelihood issues")

    def ready(self):
        from workflows.audit import register_logged_model
        from workflows.flowdrive import register_flow_driver

        from . import services  # noqa: F401  (registers work orders with the one extension path)
        from .flows import issue_driver
        from .inbox import register_inbox_providers
        from .models import LivelihoodIssue
        from .notification_events import register_notification_events
        from .search import register_search_providers
        from .sweep import register_with_sweep

        register_with_sweep()
        # Chains written before the split were signed under the ``responsibilities`` label.
        register_logged_model(LivelihoodIssue, audit_app_label="responsibilities")
        register_deadline_defaults()
        register_inbox_providers()
        register_search_providers()
        register_flow_driver(LivelihoodIssue, issue_driver)
        register_notification_events()
