"""Periodic pledge work (督诺), thin: the service does it."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from .services import pledge_remind_leader_checks, pledge_remind_self_checks


@shared_task(name="pledges.tasks.remind_pledge_self_checks")
def remind_pledge_self_checks(as_of: str | None = None) -> int:
    """Monthly: remind members to record their self-check; ``as_of`` is an ISO date for replays."""
    return pledge_remind_self_checks(as_of=dt.date.fromisoformat(as_of) if as_of else None)


@shared_task(name="pledges.tasks.remind_pledge_leader_checks")
def remind_pledge_leader_checks(as_of: str | None = None) -> int:
    """Quarterly (and half-yearly): ask the branch leaders for the Party-group and branch checks."""
    return pledge_remind_leader_checks(as_of=dt.date.fromisoformat(as_of) if as_of else None)
