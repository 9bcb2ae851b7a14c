"""Message texts per event name. Chinese by default (the site language), translatable.

Each text names the object, its deadline and, below it, the link. The event ``context``
carries the strings (title, unit, due_at, url, reason, level, decision …); a missing key
renders as an empty string, and an unknown event name gets a generic text.
"""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

EVENT_TEXTS = {
    "item.assigned": _("New task for you: “%(title)s” (%(unit)s), due %(due_at)s."),
    "item.submitted": _("“%(title)s” (%(unit)s) was submitted for verification, due %(due_at)s."),
    "item.verified": _("“%(title)s” (%(unit)s) was verified as completed."),
    "item.returned": _("“%(title)s” (%(unit)s) was returned: %(reason)s. Due %(due_at)s."),
    "item.suspended": _("“%(title)s” (%(unit)s) was suspended: %(reason)s."),
    "item.resumed": _("“%(title)s” (%(unit)s) was resumed, due %(due_at)s."),
    "item.cancelled": _("“%(title)s” (%(unit)s) was cancelled: %(reason)s."),
    "extension.requested": _(
        "Extension requested for “%(title)s” (%(unit)s): from %(due_at)s to %(new_due_at)s. Reason: %(reason)s."
    ),
    "sweep.escalated": _("“%(title)s” (%(unit)s) is overdue since %(due_at)s and has been escalated for supervision."),
    "case.opened": _("A supervision case was opened on “%(title)s” (%(unit)s), due %(due_at)s."),
    "case.acted": _("Supervision action on “%(title)s” (%(unit)s): %(action)s. %(note)s"),
    "case.closed": _("The supervision case on “%(title)s” (%(unit)s) was closed: %(conclusion)s"),
    "digest.daily": _("Your daily summary for %(date)s:"),
    "list.published": _("The list “%(title)s” (%(unit)s) was published."),
    "item.unfinished": _("“%(title)s” (%(unit)s) was closed with its list as unfinished."),
    "pledge.submitted": _("A pledge awaits your review: “%(title)s” (%(unit)s), due %(due_at)s."),
    "pledge.approved": _("Your pledge “%(title)s” was approved and published on the branch board."),
    "pledge.returned": _("Your pledge “%(title)s” was returned: %(reason)s."),
    "pledge.claimed": _("A fulfilled pledge awaits your confirmation: “%(title)s” (%(unit)s)."),
    "pledge.confirmed": _("Your pledge “%(title)s” was confirmed as fulfilled."),
    "pledge.claim_rejected": _("Your claim on the pledge “%(title)s” was not confirmed: %(reason)s."),
    "pledge.unfulfilled": _("The pledge “%(title)s” was closed as unfulfilled: %(reason)s."),
    "pledge.self_check_due": _("Time for this month's self-check of your pledge “%(title)s”."),
    "pledge.check_due": _("Pledge checks are due for %(unit)s."),
    "issue.reported": _("A new livelihood issue awaits dispatch: “%(title)s” (%(place)s)."),
    "issue.dispatched": _("A work order was dispatched to you: “%(title)s”, due %(due_at)s."),
    "issue.rejected": _("The work order “%(title)s” was returned for re-dispatch: %(reason)s."),
    "issue.resolved": _("The work order “%(title)s” was resolved; please make the follow-up call."),
    "issue.followed_up": _("The follow-up call on “%(title)s” was recorded."),
    "issue.reopened": _("The work order “%(title)s” was reopened for rework, due %(due_at)s."),
    "issue.closed": _("The work order “%(title)s” was closed."),
}

EXTENSION_DECIDED = {
    "approved": _("Your extension for “%(title)s” (%(unit)s) was approved; the new deadline is %(due_at)s."),
    "rejected": _("Your extension for “%(title)s” (%(unit)s) was rejected: %(reason)s. The deadline stays %(due_at)s."),
}

SWEEP_WARNINGS = {
    "yellow": _("Reminder: “%(title)s” (%(unit)s) has not been accepted yet, due %(due_at)s."),
    "blue": _("“%(title)s” (%(unit)s) is due soon: %(due_at)s."),
    "red": _("Overdue: “%(title)s” (%(unit)s) was due %(due_at)s and is not completed."),
}

GENERIC = _("%(event)s: “%(title)s” %(unit)s %(due_at)s")


def _template(name: str, context: dict):
    if name == "extension.decided":
        return EXTENSION_DECIDED.get(context.get("decision", ""), GENERIC)
    if name == "sweep.warning":
        return SWEEP_WARNINGS.get(context.get("level", ""), SWEEP_WARNINGS["red"])
    return EVENT_TEXTS.get(name, GENERIC)


def render_text(name: str, context: dict, *, language: str | None = None) -> str:
    """The message for event ``name`` in ``language`` (default: the site language)."""
    values = defaultdict(str, {k: "" if v is None else v for k, v in context.items()})
    values["event"] = name
    with translation.override(language or settings.LANGUAGE_CODE):
        return " ".join((str(_template(name, context)) % values).split())


def absolute_link(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL.rstrip("/") + url
