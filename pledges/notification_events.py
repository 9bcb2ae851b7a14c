"""The texts and group of the notifications about pledges, registered with
``notifications.registry`` from ``AppConfig.ready()``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

PLEDGE_EVENTS = {
    "pledge.submitted": _("A pledge awaits your review: “%(title)s” (%(unit)s), due %(due_at)s."),
    "pledge.approved": _("Your pledge “%(title)s” was approved and published on the branch board."),
    "pledge.returned": _("Your pledge “%(title)s” was returned: %(reason)s."),
    "pledge.claimed": _("A fulfilled pledge awaits your confirmation: “%(title)s” (%(unit)s)."),
    "pledge.confirmed": _("Your pledge “%(title)s” was confirmed as fulfilled."),
    "pledge.claim_rejected": _("Your claim on the pledge “%(title)s” was not confirmed: %(reason)s."),
    "pledge.unfulfilled": _("The pledge “%(title)s” was closed as unfulfilled: %(reason)s."),
    "pledge.self_check_due": _("Time for this month's self-check of your pledge “%(title)s”."),
    "pledge.check_due": _("Pledge checks are due for %(unit)s."),
}


def register_notification_events() -> None:
    from notifications.registry import register_group

    register_group("pledge", _("pledges"), events=PLEDGE_EVENTS)
