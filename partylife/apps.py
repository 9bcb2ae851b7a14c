from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

EVENT_TEXTS = {
    "activity.scheduled": _("“%(title)s” (%(unit)s) is scheduled for %(due_at)s at %(place)s; check in on your phone."),
    "activity.cancelled": _("“%(title)s” (%(unit)s) on %(due_at)s was cancelled: %(reason)s."),
    "activity.makeup_due": _("You missed “%(title)s” (%(unit)s) on %(due_at)s: please make it up (补学)."),
    "finding.filed": _("An observer's finding awaits your decision: “%(title)s” (%(unit)s)."),
    "finding.accepted": _("Your finding “%(title)s” (%(unit)s) was accepted: a supervision case was opened."),
    "finding.dismissed": _("Your finding “%(title)s” (%(unit)s) was dismissed: %(reason)s."),
}


def register_deadline_defaults() -> None:
    """三会一课 obligations when no ``DeadlinePolicy`` row of kind ``activity_frequency`` exists:
    blue in the period's last five working days, red when it ended, escalated three working
    days later."""
    from workflows.policies import Policy, register_defaults

    register_defaults("activity_frequency", normal=Policy(blue_before_due_working_days=5, blue_at_percent_time_used=0))


class PartylifeConfig(AppConfig):
    name = "partylife"
    verbose_name = _("Party organisational life")

    def ready(self):
        from notifications.registry import register_group
        from workflows.audit import register_logged_model

        from .inbox import register_inbox_providers
        from .models import Activity, Finding, FrequencyObligation, ShowcasePost
        from .search import register_search_providers
        from .sweep import register_with_sweep

        for model in (Activity, Finding, FrequencyObligation, ShowcasePost):
            register_logged_model(model)
        register_deadline_defaults()
        register_with_sweep()
        register_inbox_providers()
        register_search_providers()
        register_group("partylife", _("Party organisational life"), events=EVENT_TEXTS)
