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

        from workflows.inbox import DoneSubject, InboxProvider, register_done_subject, register_inbox_provider

        from .selectors import case_url, cases_awaiting, cases_in_township

        register_inbox_provider(
            InboxProvider("supervision_case", _("Supervision case"), cases_awaiting, ("act_on_case",))
        )
        register_done_subject(
            DoneSubject(
                "supervision_case", SupervisionCase, _("Supervision case"), cases_in_township, "subject_title", case_url
            )
        )

        from .search import register_search_providers

        register_search_providers()
