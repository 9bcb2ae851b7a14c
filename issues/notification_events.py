"""The texts and group of the notifications about work orders (livelihood issues), registered with
``notifications.registry`` from ``AppConfig.ready()``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ISSUE_EVENTS = {
    "issue.reported": _("A new livelihood issue awaits dispatch: “%(title)s” (%(place)s)."),
    "issue.dispatched": _("A work order was dispatched to you: “%(title)s”, due %(due_at)s."),
    "issue.rejected": _("The work order “%(title)s” was returned for re-dispatch: %(reason)s."),
    "issue.resolved": _("The work order “%(title)s” was resolved; please make the follow-up call."),
    "issue.followed_up": _("The follow-up call on “%(title)s” was recorded."),
    "issue.reopened": _("The work order “%(title)s” was reopened for rework, due %(due_at)s."),
    "issue.closed": _("The work order “%(title)s” was closed."),
}


def register_notification_events() -> None:
    from notifications.registry import register_group

    register_group("issue", _("livelihood issues"), events=ISSUE_EVENTS)
