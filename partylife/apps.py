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


def register_with_sweep() -> None:
    """A finding is a subject supervision can open a case on; its clock never runs (it is
    decided, not worked on), so the sweep leaves it alone."""
    from django.urls import reverse

    from workflows.sweep import SweepTarget, register

    from .models import Finding

    register(
        SweepTarget(
            kind="finding",
            model=Finding,
            clock_states=(),
            open_states=(Finding.State.FILED,),
            unit_field="unit",
            assigned_field="filed_at",
            select_related=("unit",),
            url_of=lambda finding: reverse("partylife:finding-detail", args=[finding.pk]),
        )
    )


class PartylifeConfig(AppConfig):
    name = "partylife"
    verbose_name = _("Party organisational life")

    def ready(self):
        from notifications.registry import register_group
        from workflows.audit import register_logged_model

        from .inbox import register_inbox_providers
        from .models import Activity, Finding
        from .search import register_search_providers

        for model in (Activity, Finding):
            register_logged_model(model)
        register_with_sweep()
        register_inbox_providers()
        register_search_providers()
        register_group("partylife", _("Party organisational life"), events=EVENT_TEXTS)
