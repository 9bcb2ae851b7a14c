"""The texts and group of the notifications about supervision cases, registered with
``notifications.registry`` from ``AppConfig.ready()``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

CASE_EVENTS = {
    "case.opened": _("A supervision case was opened on “%(title)s” (%(unit)s), due %(due_at)s."),
    "case.acted": _("Supervision action on “%(title)s” (%(unit)s): %(action)s. %(note)s"),
    "case.closed": _("The supervision case on “%(title)s” (%(unit)s) was closed: %(conclusion)s"),
}


def register_notification_events() -> None:
    from notifications.registry import register_group

    register_group("case", _("supervision cases"), events=CASE_EVENTS)
