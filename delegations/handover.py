"""交接 — the township office hands a leaving (or moving) person's open work to a successor in one
audited step: open items they hold or lead, work orders they handle, activities they organise
(each object logged with ``from_user`` and ``to_user``, its viewflow steps moved with it), every
other flow step still waiting on them, and — optionally — their roles, so that what reaches
people by role (pledges to review, cases to act on) reaches the successor; then, optionally, the
account is deactivated. One ``AdministrativeChange`` row records it all, beside the rows of
the roles added and the deactivation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow.workflow.models import Task

from issues.models import LivelihoodIssue
from lists.models import ResponsibilityItem
from lists.services.items import _item_context
from organization import office
from organization.models import AdministrativeChange, Membership, Unit, User
from partylife.models import Activity
from workflows.audit import append_log
from workflows.engine import apply_transition
from workflows.events import emit
from workflows.flowdrive import OPEN_TASK_STATUSES, StepDriver, flow_driver_for, hand_over_tasks


@dataclass(frozen=True)
class HandOverField:
    """One kind of open work a person holds by name: ``model.field`` in ``open_states``."""

    key: str
    label: object
    model: type
    field: str
    open_states: tuple[str, ...]
    unit_path: str  # the lookup of the object's unit path (the township's boundary)
    url: Callable[[int], str]


FIELDS = (
    HandOverField(
        "item_assignee",
        gettext_lazy("Items they are responsible for"),
        ResponsibilityItem,
        "assignee",
        ResponsibilityItem.OPEN_STATES,
        "list__unit__path",
        lambda pk: reverse("lists:item-detail", args=[pk]),
    ),
    HandOverField(
        "item_lead_leader",
        gettext_lazy("Items they lead"),
        ResponsibilityItem,
        "lead_leader",
        ResponsibilityItem.OPEN_STATES,
        "list__unit__path",
        lambda pk: reverse("lists:item-detail", args=[pk]),
    ),
    HandOverField(
        "issue_handler",
        gettext_lazy("Work orders they handle"),
        LivelihoodIssue,
        "handler",
        LivelihoodIssue.OPEN_STATES,
        "unit__path",
        lambda pk: reverse("issues:issue-detail", args=[pk]),
    ),
    HandOverField(
        "activity_organiser",
        gettext_lazy("Activities they organise"),
        Activity,
        "organiser",
        (Activity.State.SCHEDULED,),
        "unit__path",
        lambda pk: reverse("partylife:activity-detail", args=[pk]),
    ),
)


def _open_of(spec: HandOverField, township: Unit, person: User):
    return spec.model.objects.filter(
        **{spec.field: person, "state__in": spec.open_states, f"{spec.unit_path}__startswith": township.path}
    ).order_by("pk")


def _open_tasks(person: User):
    return Task.objects.filter(owner=person, status__in=OPEN_TASK_STATUSES)


def preview(*, township: Unit, person: User) -> dict:
    """What a hand-over of ``person`` would move: per kind, the open objects they hold by name
    (``{"key", "label", "rows": [{"id", "title", "state", "url"}]}``), the flow steps waiting on
    them, and their roles in ``township`` (copied to the successor on request)."""
    kinds = []
    for spec in FIELDS:
        states = dict(spec.model.State.choices)
        rows = [
            {"id": pk, "title": title, "state": state, "state_label": states.get(state, state), "url": spec.url(pk)}
            for pk, title, state in _open_of(spec, township, person).values_list("pk", "title", "state")
        ]
        kinds.append({"key": spec.key, "label": spec.label, "rows": rows})
    memberships = Membership.objects.filter(user=person, unit__path__startswith=township.path).select_related("unit")
    return {
        "kinds": kinds,
        "objects": sum(len(kind["rows"]) for kind in kinds),
        "tasks": _open_tasks(person).count(),
        "memberships": list(memberships.order_by("unit__path", "role")),
    }


@transaction.atomic
def person_hand_over(
    *,
    township: Unit,
    actor: User,
    person: User,
    successor: User,
    reason: str,
    copy_roles: bool = True,
    deactivate: bool = True,
) -> AdministrativeChange:
    """Hand ``person``'s open work in ``township`` to ``successor`` (see the module docstring).
    The caller checked that ``actor`` administers ``township``; the rest is checked here."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why: every change is recorded with its reason.")})
    people = office.people_of(township)
    if not people.filter(pk=person.pk).exists():
        raise ValidationError({"person": _("This person holds no role in %(township)s.") % {"township": township}})
    if successor.pk == person.pk:
        raise ValidationError({"successor": _("Choose someone else as the successor.")})
    if not successor.is_active or not people.filter(pk=successor.pk).exists():
        raise ValidationError({"successor": _("Choose an active person of %(township)s.") % {"township": township}})
    moved: dict[str, list[int]] = {}
    for spec in FIELDS:
        objects = list(_open_of(spec, township, person).select_for_update(of=("self",)))
        moved[spec.key] = [obj.pk for obj in objects]
        for obj in objects:
            _hand_over_one(spec, obj, actor=actor, person=person, successor=successor, reason=reason)
    # Every other step still waiting on them (a pledge to review, a case to act on, a list to publish).
    tasks = _open_tasks(person).update(owner=successor)
    roles = []
    if copy_roles:
        for membership in Membership.objects.filter(user=person, unit__path__startswith=township.path).select_related(
            "unit"
        ):
            if not Membership.objects.filter(user=successor, unit=membership.unit, role=membership.role).exists():
                office.membership_add(
                    township=township,
                    actor=actor,
                    person=successor,
                    unit=membership.unit,
                    role=membership.role,
                    title=membership.title,
                    reason=reason,
                )
                roles.append(f"{membership.unit.name} · {membership.get_role_display()}")
    change = AdministrativeChange.objects.create(
        township=township,
        actor=actor,
        action="hand_over",
        target=f"{person.username} → {successor.username}"[:200],
        reason=reason,
        details={**moved, "tasks": tasks, "roles": roles, "deactivated": bool(deactivate)},
    )
    count = sum(len(ids) for ids in moved.values()) + tasks
    emit(
        "handover.received",
        subject=change,
        recipients=[successor],
        actor=actor,
        context={"title": str(person), "person": str(person), "count": count, "reason": reason},
    )
    if deactivate:
        office.person_set_active(township=township, actor=actor, person=person, active=False, reason=reason)
    return change


def _hand_over_one(spec: HandOverField, obj, *, actor, person, successor, reason) -> None:
    payload = {"reason": reason, "from_user": person.pk, "to_user": successor.pk, "field": spec.field, "handover": True}
    if spec.key == "item_assignee":
        # 改派's own transition: the item's open step moves to the successor, who is told.
        apply_transition(
            obj, "reassign", actor=actor, comment=reason, payload=payload, check_permission=False, assignee=successor
        )
        emit("item.assigned", subject=obj, recipients=[successor], actor=actor, context=_item_context(obj))
        return
    state = obj.state
    setattr(obj, spec.field, successor)
    obj.save(update_fields=[spec.field])
    append_log(obj, transition="hand_over", source=state, target=state, actor=actor, comment=reason, payload=payload)
    driver = flow_driver_for(type(obj))
    if isinstance(driver, StepDriver):
        hand_over_tasks(driver.processes(obj), from_user=person.pk, to_user=successor.pk)
