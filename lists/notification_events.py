"""The texts and groups of the notifications about lists, items and extensions of deadlines, and
of the engine's deadline warnings (this app wires the engine's events to notifications),
registered with ``notifications.registry`` from ``AppConfig.ready()``.

Each text names the object, its unit and deadline where it has them; the link goes below it.
The event's context carries the strings (title, unit, due_at, reason, decision, level …).
The group keys are what saved preferences hold (``NotificationPreference.muted_events``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ITEM_EVENTS = {
    "item.assigned": _("New task for you: “%(title)s” (%(unit)s), due %(due_at)s."),
    "item.submitted": _("“%(title)s” (%(unit)s) was submitted for verification, due %(due_at)s."),
    "item.verified": _("“%(title)s” (%(unit)s) was verified as completed."),
    "item.returned": _("“%(title)s” (%(unit)s) was returned: %(reason)s. Due %(due_at)s."),
    "item.suspended": _("“%(title)s” (%(unit)s) was suspended: %(reason)s."),
    "item.resumed": _("“%(title)s” (%(unit)s) was resumed, due %(due_at)s."),
    "item.cancelled": _("“%(title)s” (%(unit)s) was cancelled: %(reason)s."),
    "item.corrected": _("“%(title)s” (%(unit)s) was corrected by its leader: %(reason)s. Due %(due_at)s."),
    "item.unfinished": _("“%(title)s” (%(unit)s) was closed with its list as unfinished."),
    # A list's publication assigns its items: muted with them.
    "list.published": _("The list “%(title)s” (%(unit)s) was published."),
}

EXTENSION_DECIDED = {
    "approved": _("Your extension for “%(title)s” (%(unit)s) was approved; the new deadline is %(due_at)s."),
    "rejected": _("Your extension for “%(title)s” (%(unit)s) was rejected: %(reason)s. The deadline stays %(due_at)s."),
}

SWEEP_WARNINGS = {  # by warning level; an unknown level reads as the most severe, the first
    "red": _("Overdue: “%(title)s” (%(unit)s) was due %(due_at)s and is not completed."),
    "yellow": _("Reminder: “%(title)s” (%(unit)s) has not been accepted yet, due %(due_at)s."),
    "blue": _("“%(title)s” (%(unit)s) is due soon: %(due_at)s."),
}


EXTENSION_REQUESTED = _(
    "Extension requested for “%(title)s” (%(unit)s): from %(due_at)s to %(new_due_at)s. Reason: %(reason)s."
)
SWEEP_ESCALATED = _("“%(title)s” (%(unit)s) is overdue since %(due_at)s and has been escalated for supervision.")


def register_notification_events() -> None:
    from notifications.registry import register_event, register_group

    register_group("item", _("responsibility items"), events=ITEM_EVENTS)
    register_group("extension", _("extension requests"), events={"extension.requested": EXTENSION_REQUESTED})
    register_event("extension.decided", group="extension", variant="decision", text=EXTENSION_DECIDED)
    register_group("sweep", _("deadline warnings"), events={"sweep.escalated": SWEEP_ESCALATED})
    register_event("sweep.warning", group="sweep", variant="level", text=SWEEP_WARNINGS)
