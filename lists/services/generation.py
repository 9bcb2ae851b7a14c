"""Monthly generation of draft lists from recurring item templates (每月主题党日, 15分钟纪律微课 …)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from organization.models import Unit
from organization.scoping import leaders_of
from workflows.flowdrive import subject_created

from ..models import RecurringItemTemplate, ResponsibilityList
from .items import item_create

__all__ = ["GenerationResult", "lists_generate_monthly", "next_month", "recurring_due_at", "unit_leader"]

RECURRING_DUE_TIME = dt.time(18, 0)


@dataclass
class GenerationResult:
    lists_created: int = 0
    items_created: int = 0


def next_month(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def recurring_due_at(month: dt.date, day: int) -> dt.datetime:
    last = calendar.monthrange(month.year, month.month)[1]
    moment = dt.datetime.combine(month.replace(day=min(max(day, 1), last)), RECURRING_DUE_TIME)
    return timezone.make_aware(moment)


def unit_leader(unit: Unit):
    """The unit's own leader (分管领导) when it has one, else the nearest leader above it."""
    direct = leaders_of(unit).filter(memberships__unit=unit, memberships__role="leader").order_by("pk").first()
    return direct or leaders_of(unit).order_by("-memberships__unit__path", "pk").first()


def lists_generate_monthly(*, month: dt.date) -> GenerationResult:
    """Create ``month``'s draft list for every branch with the branch's active recurring items
    whose cadence falls in ``month`` (monthly ones always; quarterly ones in the quarter's chosen
    month; annual ones in their month; one-off ones in their month only).

    Idempotent: a list that exists is reused, and a template whose title is already on the list
    is not added again. Closed lists are left alone.
    """
    month = month.replace(day=1)
    result = GenerationResult()
    templates: dict[int, list[RecurringItemTemplate]] = {}
    for template in RecurringItemTemplate.objects.filter(active=True).select_related("unit"):
        if template.applies_to(month):
            templates.setdefault(template.unit_id, []).append(template)
    for unit in Unit.objects.filter(kind=Unit.Kind.BRANCH).order_by("path"):
        with transaction.atomic():
            lst, created = ResponsibilityList.objects.select_for_update().get_or_create(
                unit=unit, month=month, defaults={"title": f"{unit.name} {month:%Y年%m月}责任清单"}
            )
            result.lists_created += created
            if created:
                subject_created(lst)
            if lst.state == ResponsibilityList.State.CLOSED:
                continue
            present = set(lst.items.values_list("title", flat=True))
            fallback_leader = None
            for order, template in enumerate(templates.get(unit.pk, []), start=1):
                if template.title in present:
                    continue
                if template.lead_leader_id is None and fallback_leader is None:
                    fallback_leader = unit_leader(unit)
                item_create(
                    lst=lst,
                    actor=None,
                    title=template.title,
                    standard=template.standard,
                    category=template.category,
                    assignee=template.default_assignee,
                    lead_leader=template.lead_leader or fallback_leader,
                    due_at=recurring_due_at(month, template.due_day),
                    sort_order=order,
                )
                result.items_created += 1
    return result
