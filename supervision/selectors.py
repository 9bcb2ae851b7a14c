"""Reads of supervision shared by pages and the API."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organization.models import Unit, path_prefix_q
from organization.scoping import scope_for
from workflows.calendar import WorkingCalendar, local_date
from workflows.sweep import SEVERITY, SweepTarget, get_target

from .models import SupervisionAction, SupervisionCase

Case = SupervisionCase
_PK_MARK = 987654321  # a pk reversed once into the case URL, then replaced per row


# -- who may see what ---------------------------------------------------------------------------


def may_supervise(user) -> bool:
    """Commissioners, observers and admins see the overdue queue."""
    scope = scope_for(user)
    return scope.is_admin or bool(scope.overseen_paths or scope.observed_paths)


def is_commissioner(user) -> bool:
    return bool(scope_for(user).overseen_paths)


def may_see_overview(user) -> bool:
    scope = scope_for(user)
    return scope.is_admin or bool(scope.led_paths or scope.overseen_paths or scope.observed_paths)


def _supervised_q(user, path_field: str) -> Q:
    scope = scope_for(user)
    if scope.is_admin:
        return Q()
    return scope.overseen_units_q(path_field) | path_prefix_q(*scope.observed_paths, field=path_field)


def _overview_q(user, path_field: str) -> Q:
    scope = scope_for(user)
    if scope.is_admin:
        return Q()
    return _supervised_q(user, path_field) | scope.led_units_q(path_field)


# -- the overdue queue --------------------------------------------------------------------------


#: The most working days overdue the queue filters by: about four years, well inside the span
#: the working-day calendar counts back over (ten years of calendar days).
MAX_DAYS_OVERDUE = 1000


@dataclass
class QueueFilters:
    unit: Unit | None = None
    lead_leader_id: int | None = None
    min_days_overdue: int | None = None


def overdue_queue(user, target: SweepTarget, filters: QueueFilters | None = None, *, as_of=None) -> QuerySet:
    """Overdue objects of ``target`` in the caller's jurisdiction, most escalated then oldest first.

    Suspended objects are not overdue (their clock stops)."""
    as_of = as_of or timezone.now()
    filters = filters or QueueFilters()
    if not may_supervise(user):
        return target.model._default_manager.none()
    qs = target.clock_running().filter(
        _supervised_q(user, target.unit_path_field), **{f"{target.due_field}__lt": as_of}
    )
    if filters.unit is not None:
        qs = qs.filter(**{f"{target.unit_path_field}__startswith": filters.unit.path})
    if filters.lead_leader_id is not None and target.lead_leader_field:
        qs = qs.filter(**{f"{target.lead_leader_field}_id": filters.lead_leader_id})
    if filters.min_days_overdue:
        cutoff = WorkingCalendar().subtract_working_days(as_of, filters.min_days_overdue)
        qs = qs.filter(**{f"{target.due_field}__lte": cutoff})
    qs = qs.select_related(*target.select_related).only(*target.queue_columns)
    return qs.order_by(F(target.escalation_field).desc(), target.due_field, "pk")


@dataclass
class QueueRow:
    subject: object
    subject_type: str
    days_overdue: int
    open_case: Case | None
    url: str | None

    # The subject's clock as its kind registered it (an item's verification clock has its own).
    @property
    def due_at(self):
        return getattr(self.subject, get_target(self.subject_type).due_field)

    @property
    def warning_level(self) -> str:
        return getattr(self.subject, get_target(self.subject_type).warning_field)

    @property
    def escalation_level(self) -> int:
        return getattr(self.subject, get_target(self.subject_type).escalation_field)


def queue_rows(target: SweepTarget, objects, *, as_of=None) -> list[QueueRow]:
    """Decorate a page of queue objects with days overdue and their active case (one query)."""
    as_of = as_of or timezone.now()
    objects = list(objects)
    calendar = WorkingCalendar()
    cases = {}
    if objects:
        content_type = ContentType.objects.get_for_model(target.model, for_concrete_model=False)
        cases = {
            case.object_id: case
            for case in Case.objects.filter(
                content_type=content_type,
                object_id__in=[obj.pk for obj in objects],
                state__in=Case.ACTIVE_STATES,
            )
        }
    days = calendar.working_days_since([getattr(obj, target.due_field) for obj in objects], as_of)
    return [
        QueueRow(
            subject=obj,
            subject_type=target.kind,
            days_overdue=max(0, days[local_date(getattr(obj, target.due_field))]),
            open_case=cases.get(obj.pk),
            url=target.url_of(obj) if target.url_of else None,
        )
        for obj in objects
    ]


# -- cases --------------------------------------------------------------------------------------


def cases_visible_to(user) -> QuerySet[Case]:
    """Commissioners and observers see their jurisdiction's cases, leaders those of their units."""
    scope = scope_for(user)
    q = Q() if scope.is_admin else _supervised_q(user, "unit__path") | scope.led_units_q("unit__path")
    return Case.objects.filter(q).select_related("unit", "opened_by", "closed_by", "content_type", "responsible__unit")


def case_actions(case: Case) -> QuerySet[SupervisionAction]:
    return case.actions.select_related("actor")


def subject_in_jurisdiction(user, target: SweepTarget, subject_id: int):
    """The subject if it lies in ``user``'s jurisdiction (commissioners), else None."""
    scope = scope_for(user)
    return (
        target.model._default_manager.filter(scope.overseen_units_q(target.unit_path_field), pk=subject_id)
        .select_related(*target.select_related)
        .first()
    )


def subject_readable(user, target: SweepTarget, subject_id: int) -> bool:
    """Whether the subject lies in a unit ``user`` may read (led, overseen, observed or a member's)."""
    scope = scope_for(user)
    return target.model._default_manager.filter(scope.readable_units_q(target.unit_path_field), pk=subject_id).exists()


# -- the warning overview -----------------------------------------------------------------------


@dataclass
class OverviewRow:
    unit_id: int
    unit_name: str
    unit_path: str
    counts: dict[str, int] = field(default_factory=dict)
    links: dict[str, str | None] = field(default_factory=dict)

    @property
    def cells(self) -> list[tuple[str, int, str | None]]:
        return [(level, self.counts.get(level, 0), self.links.get(level)) for level in LEVELS]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


LEVELS = sorted(SEVERITY, key=SEVERITY.get)


def warning_overview(user, target: SweepTarget) -> list[OverviewRow]:
    """Open objects per unit and warning colour, in the units the caller leads or supervises."""
    if not may_see_overview(user):
        return []
    unit = target.unit_field
    grouped = (
        target.open_objects()
        .filter(_overview_q(user, target.unit_path_field))
        .values(f"{unit}__id", f"{unit}__name", f"{unit}__path", target.warning_field)
        .annotate(n=Count("pk"))
        .order_by(f"{unit}__path")
    )
    rows: dict[int, OverviewRow] = {}
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for entry in grouped:
        unit_id = entry[f"{unit}__id"]
        if unit_id not in rows:
            rows[unit_id] = OverviewRow(unit_id, entry[f"{unit}__name"], entry[f"{unit}__path"])
        counts[unit_id][entry[target.warning_field]] = entry["n"]
    for unit_id, row in rows.items():
        row.counts = {level: counts[unit_id].get(level, 0) for level in LEVELS}
        row.links = {level: target.list_url(unit_id, level) if target.list_url else None for level in LEVELS}
    return list(rows.values())


def cases_awaiting(user) -> list[dict]:
    """Open and acting cases in the commissioner's jurisdiction, inside their township: the
    inbox rows of supervision (one query)."""
    scope = scope_for(user)
    if not scope.overseen_paths and not scope.is_admin:
        return []
    q = Q() if scope.is_admin else scope.overseen_units_q("unit__path") & scope.township_q("unit__path")
    cases = Case.objects.filter(q, state__in=Case.ACTIVE_STATES).only("pk", "subject_title").order_by("opened_at", "pk")
    head, tail = reverse("supervision:case-detail", args=[_PK_MARK]).split(str(_PK_MARK))
    return [
        {
            "subject_type": "supervision_case",
            "subject_id": case.pk,
            "title": case.subject_title,
            "action": "act_on_case",
            "action_label": _("Act on the case"),
            "due_at": None,
            "url": f"{head}{case.pk}{tail}",
        }
        for case in cases
    ]


def cases_in_township(user):
    """The cases of the user's township (the 已办 page's scope)."""
    return Case.objects.filter(scope_for(user).township_q("unit__path"))


def case_url(link: str) -> str:
    head, tail = reverse("supervision:case-detail", args=[_PK_MARK]).split(str(_PK_MARK))
    return f"{head}{int(link)}{tail}"
