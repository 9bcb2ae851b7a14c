"""Party life's registrations with the deadline sweep (and, through the same registry, with
supervision):

- ``activity_frequency``: a branch's 三会一课 obligation of a period (``FrequencyObligation``).
  Its clock runs while it is open, from the period's start to its end: blue near the end
  (or when most of the period is used), red when the period ended without the activity, and
  escalated to the branch's discipline commissioners (a supervision case opens) like a late item.
  Who is told: the branch's organisers (its leaders, 支部委员, 党务工作者) at blue and red, the
  commissioners of its jurisdiction at escalation.
- ``finding``: a subject supervision opens cases on; its clock never runs (it is decided, not
  worked on), so the sweep leaves it alone.
"""

from __future__ import annotations

from collections import defaultdict

from django.urls import reverse

from organization.models import Membership
from organization.scoping import commissioner_ids_by_unit, leader_ids_by_unit
from workflows.calendar import local_minute
from workflows.sweep import ESCALATED, SweepTarget, register

from .models import Finding, FrequencyObligation

ORGANISER_ROLES = (Membership.Role.BRANCH_COMMITTEE, Membership.Role.PARTY_WORKER)


def organiser_ids_by_unit(units) -> dict[int, list[int]]:
    """The organisers of each unit (its leaders, 支部委员, 党务工作者), by unit id."""
    units = list({unit.pk: unit for unit in units}.values())
    found: dict[int, set[int]] = defaultdict(set)
    for unit_id, ids in leader_ids_by_unit(units).items():
        found[unit_id].update(ids)
    for unit_id, user_id in Membership.objects.filter(
        unit__in=units, role__in=ORGANISER_ROLES, user__is_active=True
    ).values_list("unit_id", "user_id"):
        found[unit_id].add(user_id)
    return {unit.pk: sorted(found[unit.pk]) for unit in units}


def obligations_recipients(obligations: list[FrequencyObligation], step: str) -> dict[int, list]:
    units = [obligation.unit for obligation in obligations]
    by_unit = commissioner_ids_by_unit(units) if step == ESCALATED else organiser_ids_by_unit(units)
    return {obligation.pk: by_unit[obligation.unit_id] for obligation in obligations}


def obligation_recipients(obligation: FrequencyObligation, step: str) -> list:
    return obligations_recipients([obligation], step)[obligation.pk]


def obligation_url(obligation: FrequencyObligation) -> str:
    return reverse("partylife:obligation-index") + f"?unit={obligation.unit_id}"


def obligation_context(obligation: FrequencyObligation) -> dict:
    return {
        "title": obligation.title,
        "unit": obligation.unit.name,
        "due_at": local_minute(obligation.due_at),
        "url": obligation_url(obligation),
    }


def obligation_list_url(unit_id: int, warning_level: str) -> str:
    return reverse("partylife:obligation-index") + f"?unit={unit_id}&warning_level={warning_level}"


OBLIGATION_TARGET = SweepTarget(
    kind="activity_frequency",
    model=FrequencyObligation,
    clock_states=(FrequencyObligation.State.OPEN,),
    open_states=(FrequencyObligation.State.OPEN,),
    recipients=obligation_recipients,
    recipients_many=obligations_recipients,
    context=obligation_context,
    unit_field="unit",
    select_related=("unit",),
    url_of=obligation_url,
    list_url=obligation_list_url,
)

FINDING_TARGET = SweepTarget(
    kind="finding",
    model=Finding,
    clock_states=(),
    open_states=(Finding.State.FILED,),
    unit_field="unit",
    assigned_field="filed_at",
    select_related=("unit",),
    url_of=lambda finding: reverse("partylife:finding-detail", args=[finding.pk]),
)


def register_with_sweep() -> None:
    register(FINDING_TARGET)
    register(OBLIGATION_TARGET)
