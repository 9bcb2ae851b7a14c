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
            resolve_within_working_days=1,
        ),
    )


class IssuesConfig(AppConfig):
    name = "issues"
    verbose_name = _("Livelihood issues")

    def ready(self):
        from workflows.audit import register_logged_model

        from .inbox import register_inbox_providers
        from .models import LivelihoodIssue
        from .sweep import register_with_sweep

        register_with_sweep()
        # Chains written before the split were signed under the ``responsibilities`` label.
        register_logged_model(LivelihoodIssue, audit_app_label="responsibilities")
        register_deadline_defaults()
        register_inbox_providers()
