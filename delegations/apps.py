from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

EVENT_TEXTS = {
    "delegation.granted": _(
        "%(person)s named you their stand-in from %(starts_on)s to %(ends_on)s: their steps appear in your inbox."
    ),
    "delegation.revoked": _("%(person)s revoked your stand-in from %(starts_on)s to %(ends_on)s."),
    "handover.received": _("The township office handed %(person)s's open work to you (%(count)s steps): %(reason)s."),
}


def _principals(user):
    from functools import partial

    from workflows.standins import Principal

    from .selectors import delegations_in_force_for
    from .views import act_url

    return [Principal(d.delegator, partial(act_url, d.pk)) for d in delegations_in_force_for(user)]


def _arrangements(user_ids):
    from .models import Delegation

    return Delegation.objects.in_force().filter(delegator_id__in=user_ids)


class DelegationsConfig(AppConfig):
    name = "delegations"
    verbose_name = _("Stand-ins")

    def ready(self):
        from notifications.registry import register_group, register_stand_ins
        from workflows.audit import register_logged_model
        from workflows.standins import register_stand_in_source

        from .models import Delegation

        register_logged_model(Delegation)
        register_stand_in_source(_principals)
        register_stand_ins(_arrangements)
        register_group("delegation", _("stand-ins"), events=EVENT_TEXTS)
