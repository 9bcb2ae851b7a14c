from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponsibilitiesConfig(AppConfig):
    name = "responsibilities"
    verbose_name = _("Responsibilities")

    def ready(self):
        # The domain wires its events to the notification outbox; notifications knows no domain.
        from notifications import digest as notification_digest
        from notifications.services import handle_domain_event
        from workflows import events

        from .digest import items_digest

        events.subscribe(handle_domain_event)
        notification_digest.register_provider(items_digest)
        # The working-day calendar, when the engine has one: digests skip holidays (调休 aware).
        try:
            from workflows.calendar import is_working_day
        except ImportError:
            pass
        else:
            notification_digest.register_working_day_check(is_working_day)
