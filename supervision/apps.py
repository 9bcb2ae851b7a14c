from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self):
        from workflows.audit import register_logged_model
        from workflows.sweep import register_escalation_handler

        from .models import SupervisionCase
        from .services import open_case_on_escalation

        register_escalation_handler(open_case_on_escalation)
        register_logged_model(SupervisionCase)

        from workflows.inbox import InboxProvider, register_inbox_provider

        from .selectors import cases_awaiting

        register_inbox_provider(
            InboxProvider("supervision_case", _("Supervision case"), cases_awaiting, ("act_on_case",))
        )

        from .search import register_search_providers

        register_search_providers()
