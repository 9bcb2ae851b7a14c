"""Services of the 三会一课 obligations (``FrequencyObligation``): open the current period's for
every branch, and meet one when an activity of its kind is recorded in its period.

``obligations_open`` is idempotent and runs from beat (hourly) and from
``manage.py open_party_obligations``; the deadline sweep then warns and escalates the open
ones whose period runs out (``partylife.sweep``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organization.models import Unit
from workflows.audit import append_logs
from workflows.engine import apply_transition

from .models import Activity, ActivityFrequency, ActivityKind, FrequencyObligation


@dataclass
class OpenResult:
    opened: int = 0
    met: int = 0


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone())


def _title(unit_name: str, kind: str, start: dt.date, period: str) -> str:
    label = dict(ActivityKind.choices)[kind]
    if period == ActivityFrequency.Period.MONTH:
        when = f"{start:%Y-%m}"
    else:
        when = f"{start.year}Q{(start.month - 1) // 3 + 1}"
    return _("%(unit)s: %(kind)s due in %(when)s") % {"unit": unit_name, "kind": label, "when": when}


@transaction.atomic
def obligations_open(*, as_of: dt.datetime) -> OpenResult:
    """Every branch's obligations for the periods holding ``as_of`` (one per minimum frequency);
    those already there are left alone. An activity of the kind recorded in the period before
    the obligation existed meets it at once."""
    result = OpenResult()
    today = timezone.localtime(as_of).date()
    rules = list(ActivityFrequency.objects.all())
    if not rules:
        return result
    branches = list(Unit.objects.filter(kind=Unit.Kind.BRANCH).values_list("pk", "name"))
    periods = {rule.kind: (rule.period, *ActivityFrequency.period_bounds(rule.period, today)) for rule in rules}
    existing = set(
        FrequencyObligation.objects.filter(
            period_start__in={start for _p, start, _e in periods.values()}, unit_id__in=[pk for pk, _n in branches]
        ).values_list("unit_id", "kind", "period_start")
    )
    new = [
        FrequencyObligation(
            unit_id=unit_id,
            kind=kind,
            title=_title(name, kind, start, period),
            period_start=start,
            period_end=end,
            assigned_at=_local_midnight(start),
            due_at=_local_midnight(end),
        )
        for unit_id, name in branches
        for kind, (period, start, end) in periods.items()
        if (unit_id, kind, start) not in existing
    ]
    created = FrequencyObligation.objects.bulk_create(new)
    append_logs([{"subject": o, "transition": "open", "source": "", "target": o.state} for o in created])
    result.opened = len(created)
    for obligation in created:
        activity = (
            Activity.objects.held()
            .filter(
                unit_id=obligation.unit_id,
                kind=obligation.kind,
                scheduled_at__gte=obligation.assigned_at,
                scheduled_at__lt=obligation.due_at,
            )
            .order_by("scheduled_at", "pk")
            .first()
        )
        if activity is not None:
            apply_transition(
                obligation, "meet", actor=None, check_permission=False, activity=activity, at=activity.recorded_at
            )
            result.met += 1
    return result


def obligation_meet_by(*, activity: Activity, actor) -> FrequencyObligation | None:
    """The recorded ``activity`` meets its branch's open obligation of its kind and period, if
    any. Caller is inside the recording's transaction."""
    obligation = (
        FrequencyObligation.objects.select_for_update()
        .filter(
            unit_id=activity.unit_id,
            kind=activity.kind,
            state=FrequencyObligation.State.OPEN,
            assigned_at__lte=activity.scheduled_at,
            due_at__gt=activity.scheduled_at,
        )
        .first()
    )
    if obligation is None:
        return None
    apply_transition(
        obligation,
        "meet",
        actor=actor,
        check_permission=False,
        payload={"activity": activity.pk},
        activity=activity,
        at=activity.recorded_at or timezone.now(),
    )
    return obligation
