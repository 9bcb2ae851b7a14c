from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The audit label each model's chains were signed with before the models left the
# ``responsibilities`` app (see ``workflows.audit.register_audit_label``).
LEGACY_APP_LABEL = "responsibilities"


def register_logged_models() -> None:
    """Every state change of these is logged: ``verify_audit`` checks each state against its log."""
    from workflows.audit import register_logged_model

    from . import models

    for model in (models.ResponsibilityList, models.ResponsibilityItem, models.ExtensionRequest):
        register_logged_model(model, audit_app_label=LEGACY_APP_LABEL)


def register_deadline_defaults() -> None:
    """DESIGN.md's table, for when no ``DeadlinePolicy`` row exists: yellow when not accepted one
    working day after assignment, blue two working days before due, red at due, escalation to the
    discipline commissioners after three overdue working days. Urgent work: accept within two
    hours, blue one working day before due, escalation after one overdue working day."""
    from workflows.policies import Policy, register_defaults

    register_defaults(
        "item",
        normal=Policy(),
        urgent=Policy(
            accept_within_hours=2,
            blue_before_due_working_days=1,
            escalate_after_overdue_working_days=1,
            level2_after_overdue_working_days=4,
            level3_after_overdue_working_days=8,
        ),
    )


class ListsConfig(AppConfig):
    name = "lists"
    verbose_name = _("Responsibility lists")

    def ready(self):
        # The domain wires itself to the engine and to notifications; neither knows the domain.
        from notifications import digest as notification_digest
        from notifications.services import handle_domain_event, handle_domain_events
        from workflows import events
        from workflows.calendar import is_working_day

        from .digest import items_digest
        from .flows import register_flow_drivers
        from .inbox import register_inbox_providers
        from .notification_events import register_notification_events
        from .search import register_search_providers
        from .sweep import register_with_sweep

        register_with_sweep()
        register_logged_models()
        register_deadline_defaults()
        register_inbox_providers()
        register_search_providers()
        register_flow_drivers()
        events.subscribe(handle_domain_event, many=handle_domain_events)
        register_notification_events()
        notification_digest.register_provider(items_digest)
        # Digests go out on working days only (statutory holidays and 调休 included).
        notification_digest.register_working_day_check(is_working_day)
