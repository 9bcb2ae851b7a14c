"""Services for monthly lists, items and extension requests.

Each service is one transaction: it locks the row (``select_for_update``), calls the model
transition through ``workflows.engine.apply_transition`` (which saves and logs), emits the
domain events (which write the notification outbox in the same transaction) and returns the
object. Validation and permission checks happen before (serializers, forms, permission
classes); what a service raises is a real conflict (409) or a refusal (403).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from organization.models import Unit, User
from organization.scoping import leaders_of
from workflows.audit import append_log
from workflows.calendar import local_minute
from workflows.engine import TransitionConflict, TransitionForbidden, apply_transition, record_change
from workflows.events import emit
from workflows.flowdrive import subject_created

from ..models import (
    Comment,
    Evidence,
    ExtensionRequest,
    ProgressReport,
    ResponsibilityItem,
    ResponsibilityList,
)

Item = ResponsibilityItem


def _locked(model, pk):
    return model.objects.select_for_update().get(pk=pk)


def _item_context(item: Item) -> dict:
    return {
        "title": item.title,
        "unit": item.list.unit.name,
        "due_at": local_minute(item.due_at),
        "url": reverse("lists:item-detail", args=[item.pk]),
    }


def _verifiers(item: Item) -> list[int]:
    """Who verifies: the lead leader and the unit's leaders, never the assignee (four-eyes)."""
    ids = {item.lead_leader_id} | set(leaders_of(item.list.unit).values_list("pk", flat=True))
    ids.discard(item.assignee_id)
    ids.discard(None)
    return sorted(ids)


# -- lists ----------------------------------------------------------------------------------------


def _month_taken(unit: Unit, month: dt.date) -> TransitionConflict:
    return TransitionConflict(_("This unit already has a list for %(month)s.") % {"month": f"{month:%Y-%m}"})


@transaction.atomic
def list_create(*, unit: Unit, month: dt.date, title: str, actor: User | None) -> ResponsibilityList:
    """A draft list; its flow starts and puts "publish" in the creator's (or a unit leader's) inbox.

    Two leaders creating the unit's list for the same month at once both pass the forms' check;
    the unique constraint stops the second, which is a conflict, not an error."""
    month = month.replace(day=1)
    try:
        with transaction.atomic():
            lst = ResponsibilityList.objects.create(unit=unit, month=month, title=title, created_by=actor)
    except IntegrityError as exc:
        if ResponsibilityList.objects.filter(unit=unit, month=month).exists():
            raise _month_taken(unit, month) from exc
        raise
    subject_created(lst, actor=actor)
    return lst


_LIST_EDITABLE = ("title", "month")


@transaction.atomic
def list_update(*, lst: ResponsibilityList, actor: User, **fields) -> ResponsibilityList:
    """Edit a draft list's title or month (a published list changes only through transitions)."""
    lst = _locked(ResponsibilityList, lst.pk)
    if lst.state != ResponsibilityList.State.DRAFT:
        raise TransitionConflict("Only draft lists can be edited.")
    for name, value in fields.items():
        if name not in _LIST_EDITABLE:
            raise ValueError(f"{name} is not editable")
        setattr(lst, name, value.replace(day=1) if name == "month" else value)
    try:
        with transaction.atomic():
            lst.save()
    except IntegrityError as exc:
        if ResponsibilityList.objects.filter(unit_id=lst.unit_id, month=lst.month).exclude(pk=lst.pk).exists():
            raise _month_taken(lst.unit, lst.month) from exc
        raise
    return lst


def _log_deletion(subject, *, actor: User | None, payload: dict) -> None:
    """The subject's last log row: its deletion, with what it held (the row outlives it); its
    flow, if any, ends with it."""
    record_change(subject, transition="delete", source=subject.state, target="deleted", actor=actor, payload=payload)


def _item_snapshot(item: Item) -> dict:
    return {
        "list": item.list_id,
        "title": item.title,
        "assignee": item.assignee_id,
        "lead_leader": item.lead_leader_id,
        "due_at": item.due_at.isoformat() if item.due_at else None,
        "carried_over_from": item.carried_over_from_id,
    }


@transaction.atomic
def list_delete_draft(*, lst: ResponsibilityList, actor: User) -> None:
    """Delete a draft list with its draft items (nothing was assigned yet); each deletion is
    logged. A list holding work carried over from last month is refused (a conflict)."""
    lst = _locked(ResponsibilityList, lst.pk)
    blocker = lst.deletion_blocker()
    if blocker:
        raise TransitionConflict(blocker)
    items = list(lst.items.select_for_update().order_by("pk"))
    for item in items:
        _log_deletion(item, actor=actor, payload=_item_snapshot(item))
    _log_deletion(
        lst,
        actor=actor,
        payload={
            "unit": lst.unit_id,
            "month": lst.month_label,
            "title": lst.title,
            "items": [item.pk for item in items],
        },
    )
    lst.delete()


@transaction.atomic
def list_publish(*, lst: ResponsibilityList, actor: User, comment: str = "") -> ResponsibilityList:
    """下单: publish the list and assign every draft item, each with its own log row and event."""
    lst = _locked(ResponsibilityList, lst.pk)
    apply_transition(lst, "publish", actor=actor, comment=comment)
    for item in lst.items.select_for_update().filter(state=Item.State.DRAFT).select_related("list__unit"):
        _assign(item, actor=actor)
    emit(
        "list.published",
        subject=lst,
        recipients=[
            pk for pk in lst.items.values_list("lead_leader_id", flat=True) if pk != getattr(actor, "pk", None)
        ],
        actor=actor,
        context={"title": lst.title, "unit": lst.unit.name, "month": lst.month_label},
    )
    return lst


def _assign(item: Item, *, actor: User | None) -> None:
    apply_transition(item, "assign", actor=actor, check_permission=actor is not None)
    emit(
        "item.assigned",
        subject=item,
        recipients=[item.assignee_id, *item.co_handlers.values_list("pk", flat=True)],
        actor=actor,
        context=_item_context(item),
        urgent=item.urgent,
    )


@transaction.atomic
def list_close(
    *, lst: ResponsibilityList, actor: User, decisions: dict[int, str] | None = None, comment: str = ""
) -> ResponsibilityList:
    """验单: close a published list. Every open item needs a decision — ``carry_over`` (copied to
    next month's list, which is created as a draft when missing) or ``unfinished``. Nothing is
    silently dropped: a missing decision is a conflict."""
    lst = _locked(ResponsibilityList, lst.pk)
    decisions = {int(k): v for k, v in (decisions or {}).items()}
    open_items = list(lst.items.select_for_update().filter(state__in=Item.OPEN_STATES))
    undecided = [item.title for item in open_items if decisions.get(item.pk) not in ("carry_over", "unfinished")]
    if undecided:
        raise TransitionConflict(
            "Decide for every unfinished item whether to carry it over or mark it unfinished: " + "; ".join(undecided)
        )
    apply_transition(lst, "close", actor=actor, comment=comment)
    next_list = None
    for item in open_items:
        if decisions[item.pk] == "carry_over":
            if next_list is None:
                next_list = _next_month_list(lst, actor)
            copy = _copy_item(item, next_list, actor)
            apply_transition(item, "carry_over", actor=actor, payload={"to_item": copy.pk, "to_list": next_list.pk})
        else:
            apply_transition(item, "mark_unfinished", actor=actor)
            emit(
                "item.unfinished",
                subject=item,
                recipients=[item.assignee_id],
                actor=actor,
                context=_item_context(item),
            )
    return lst


def _next_month_list(lst: ResponsibilityList, actor: User) -> ResponsibilityList:
    month = (lst.month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    next_list, created = ResponsibilityList.objects.get_or_create(
        unit=lst.unit, month=month, defaults={"title": f"{lst.unit.name} {month:%Y年%m月}责任清单", "created_by": actor}
    )
    if created:
        subject_created(next_list, actor=actor)
    return next_list


def _copy_item(item: Item, target: ResponsibilityList, actor: User) -> Item:
    copy = Item.objects.create(
        list=target,
        title=item.title,
        standard=item.standard,
        category=item.category,
        urgent=item.urgent,
        assignee=item.assignee,
        lead_leader=item.lead_leader,
        due_at=item.due_at,
        original_due_at=item.original_due_at or item.due_at,
        carried_over_from=item,
        created_by=actor,
        sort_order=item.sort_order,
        progress_percent=item.progress_percent,
    )
    copy.co_handlers.set(item.co_handlers.all())
    if target.state == ResponsibilityList.State.PUBLISHED:
        _assign(copy, actor=actor)
    return copy


# -- items ----------------------------------------------------------------------------------------


def item_create(*, lst: ResponsibilityList, actor: User, co_handlers=(), **fields) -> Item:
    """Add an item to a draft list, or to a published one (then it is assigned at once)."""
    with transaction.atomic():
        lst = _locked(ResponsibilityList, lst.pk)
        if lst.state == ResponsibilityList.State.CLOSED:
            raise TransitionConflict("The list is closed.")
        item = Item.objects.create(list=lst, created_by=actor, original_due_at=fields.get("due_at"), **fields)
        if co_handlers:
            item.co_handlers.set(co_handlers)
        if lst.state == ResponsibilityList.State.PUBLISHED:
            _assign(item, actor=actor)
        return item


_EDITABLE = ("title", "standard", "category", "urgent", "assignee", "lead_leader", "due_at", "sort_order")


@transaction.atomic
def item_update(*, item: Item, actor: User, co_handlers=None, **fields) -> Item:
    """Edit a draft item (published items change only through transitions and extensions)."""
    item = _locked(Item, item.pk)
    if item.state != Item.State.DRAFT:
        raise TransitionConflict("Only draft items can be edited; use an extension to move a deadline.")
    for name, value in fields.items():
        if name not in _EDITABLE:
            raise ValueError(f"{name} is not editable")
        setattr(item, name, value)
    if "due_at" in fields:
        item.original_due_at = fields["due_at"]
    item.save()
    if co_handlers is not None:
        item.co_handlers.set(co_handlers)
    return item


@transaction.atomic
def item_delete_draft(*, item: Item, actor: User) -> None:
    """Delete a draft item and log it; one carried over from last month is refused (a conflict)."""
    item = _locked(Item, item.pk)
    blocker = item.deletion_blocker()
    if blocker:
        raise TransitionConflict(blocker)
    _log_deletion(item, actor=actor, payload=_item_snapshot(item))
    item.delete()


# What an item's rules, flow steps, events and the API's answer read besides the item itself.
_ITEM_RELATIONS = ("list", "assignee", "lead_leader", "category")


def _held_relations(item: Item) -> bool:
    return all(Item._meta.get_field(name).is_cached(item) for name in _ITEM_RELATIONS) and (
        ResponsibilityList._meta.get_field("unit").is_cached(item.list)
    )


def _lock_item(item: Item | int) -> Item:
    """The item, its row locked, with its list and unit, assignee, lead leader and category.

    Only the item's row is locked (not its list's or unit's), so that transitions of one unit's
    items do not queue behind each other. When ``item`` is an object that already holds those
    related rows (the API's, read in the caller's scope a moment ago) and the locked row still
    points at them, they are reused instead of being joined and read again."""
    locking = Item.objects.select_for_update(of=("self",))
    if isinstance(item, Item) and _held_relations(item):
        locked = locking.get(pk=item.pk)
        if all(getattr(locked, f"{name}_id") == getattr(item, f"{name}_id") for name in _ITEM_RELATIONS):
            for name in _ITEM_RELATIONS:
                Item._meta.get_field(name).set_cached_value(locked, getattr(item, name))
            return locked
    pk = item if isinstance(item, int) else item.pk
    return locking.select_related("list__unit", "assignee", "lead_leader", "category").get(pk=pk)


def _item_transition(
    item: Item, method: str, *, actor: User, comment: str = "", name: str | None = None, payload=None, **kwargs
) -> tuple[Item, str]:
    """The locked item after the transition, and the key of this occurrence of its events: the
    transition's place in the item's log (a second submission after a return is a new event)."""
    item = _lock_item(item)
    entry = apply_transition(item, method, actor=actor, comment=comment, name=name, payload=payload, **kwargs)
    return item, f"log:{entry.seq}"


@transaction.atomic
def item_accept(*, item: Item, actor: User, comment: str = "") -> Item:
    """签收: the assignee acknowledges the item; their "accept" task closes and "work" opens."""
    item, _ = _item_transition(item, "accept", actor=actor, comment=comment)
    return item


@transaction.atomic
def item_report_progress(*, item: Item, actor: User, text: str, percent: int | None = None, comment: str = "") -> Item:
    item, _ = _item_transition(
        item, "report_progress", actor=actor, comment=comment or text, payload={"percent": percent}, percent=percent
    )
    ProgressReport.objects.create(item=item, author=actor, text=text, percent=percent)
    return item


@transaction.atomic
def item_submit(*, item: Item, actor: User, result: str, comment: str = "") -> Item:
    """办结申请: the assignee reports the item done; the verifiers are told."""
    item, key = _item_transition(item, "submit", actor=actor, comment=comment or result, result=result)
    emit("item.submitted", subject=item, recipients=_verifiers(item), actor=actor, context=_item_context(item), key=key)
    return item


@transaction.atomic
def item_verify(*, item: Item, actor: User, comment: str = "") -> Item:
    """办结: a leader of the unit (never the assignee) confirms completion."""
    item, key = _item_transition(item, "verify", actor=actor, comment=comment, payload={})
    emit(
        "item.verified", subject=item, recipients=[item.assignee_id], actor=actor, context=_item_context(item), key=key
    )
    return item


def _item_with_reason(
    item: Item, method: str, *, actor: User, reason: str, comment: str, event: str, name: str | None = None
) -> Item:
    """Lock the item, apply a transition whose reason is required (logged, with the comment when
    one is given) and tell the assignee, with the reason — if there is one yet (a draft item
    cancelled has none)."""
    payload = {"reason": reason, **({"comment": comment} if comment else {})}
    item, key = _item_transition(item, method, actor=actor, name=name, comment=reason, payload=payload)
    if item.assignee_id:
        context = {**_item_context(item), "reason": reason}
        emit(event, subject=item, recipients=[item.assignee_id], actor=actor, context=context, key=key)
    return item


@transaction.atomic
def item_return(*, item: Item, actor: User, reason: str, comment: str = "") -> Item:
    """退回: verification rejected; the reason is required and goes to the assignee."""
    return _item_with_reason(
        item, "return_for_rework", name="return", actor=actor, reason=reason, comment=comment, event="item.returned"
    )


@transaction.atomic
def item_suspend(*, item: Item, actor: User, reason: str, comment: str = "") -> Item:
    """中止: the deadline clock stops until the item is resumed."""
    return _item_with_reason(item, "suspend", actor=actor, reason=reason, comment=comment, event="item.suspended")


@transaction.atomic
def item_resume(*, item: Item, actor: User, comment: str = "") -> Item:
    item, key = _item_transition(item, "resume", actor=actor, comment=comment)
    emit("item.resumed", subject=item, recipients=[item.assignee_id], actor=actor, context=_item_context(item), key=key)
    return item


@transaction.atomic
def item_cancel(*, item: Item, actor: User, reason: str, comment: str = "") -> Item:
    """Cancelled by a leader (from any open state), with the reason; its flow ends."""
    return _item_with_reason(item, "cancel", actor=actor, reason=reason, comment=comment, event="item.cancelled")


@transaction.atomic
def item_reassign(*, item: Item, actor: User, assignee: User, reason: str, comment: str = "") -> Item:
    """改派: ``assignee`` takes the item over where it stands (its open step and any pending
    extension request move with it: they belong to the item). The log row names both; the new
    assignee is told as on assignment. The caller checked that ``assignee`` may hold the item."""
    locked = _lock_item(item)
    previous = locked.assignee_id
    if assignee.pk == previous:
        raise TransitionConflict(_("%(name)s already holds this item.") % {"name": assignee})
    payload = {"reason": reason, "from_user": previous, "to_user": assignee.pk}
    if comment:
        payload["comment"] = comment
    item, key = _item_transition(locked, "reassign", actor=actor, comment=reason, payload=payload, assignee=assignee)
    emit(
        "item.assigned",
        subject=item,
        recipients=[assignee.pk],
        actor=actor,
        context=_item_context(item),
        urgent=item.urgent,
        key=key,
    )
    return item


@transaction.atomic
def item_correct(
    *,
    item: Item,
    actor: User,
    reason: str,
    title: str | None = None,
    standard: str | None = None,
    due_at: dt.datetime | None = None,
    comment: str = "",
) -> Item:
    """更正 a published item: its title and standard (one ``correct`` row naming the old and new
    wording) and its deadline (an ``extend`` row, as an approved extension writes: a deadline
    moved by a correction is never a silent edit), with the leader's reason; the assignee is
    told. The caller checked the values and that something changes."""
    locked = _lock_item(item)
    changes = {
        name: {"from": getattr(locked, name), "to": value}
        for name, value in (("title", title), ("standard", standard))
        if value is not None and value != getattr(locked, name)
    }
    moves = due_at is not None and due_at != locked.due_at
    if not changes and not moves:
        raise TransitionConflict(_("Nothing to correct: the item already reads so."))
    key = ""
    if changes or not moves:
        payload = {"reason": reason, "changes": changes, **({"comment": comment} if comment else {})}
        wording = {name: change["to"] for name, change in changes.items()}
        locked, key = _item_transition(locked, "correct", actor=actor, comment=reason, payload=payload, **wording)
    if moves:
        entry = apply_transition(
            locked,
            "move_deadline",
            actor=actor,
            name="extend",
            comment=reason,
            payload={
                "from": locked.due_at.isoformat() if locked.due_at else None,
                "to": due_at.isoformat(),
                "correction": True,
            },
            new_due_at=due_at,
        )
        key = f"log:{entry.seq}"
    if locked.assignee_id and locked.assignee_id != actor.pk:
        emit(
            "item.corrected",
            subject=locked,
            recipients=[locked.assignee_id],
            actor=actor,
            context={**_item_context(locked), "reason": reason},
            key=key,
        )
    return locked


@transaction.atomic
def item_add_evidence(*, item: Item, actor: User, upload, content_type: str) -> Evidence:
    """Store an uploaded file (validated by the caller: size, type by content, name)."""
    return Evidence.objects.create(
        item=item,
        file=upload,
        original_name=upload.name[:200],
        content_type=content_type,
        size=upload.size,
        uploaded_by=actor,
    )


@transaction.atomic
def item_add_evidence_files(*, item: Item, actor: User, checked: list) -> list[Evidence]:
    """Store several checked uploads (``evidence.validate_uploads``) at once: all or none."""
    return [
        item_add_evidence(item=item, actor=actor, upload=one.upload, content_type=one.content_type) for one in checked
    ]


def item_comment(*, item: Item, actor: User, text: str) -> Comment:
    return Comment.objects.create(item=item, author=actor, text=text)


# -- extension requests (延期申请), on every subject with a deadline ------------------------------
#
# Lock order, for every subject and every step: the subject's row first, then the extension's.
# A request locks the subject and then inserts the extension; approval and rejection lock the
# subject and then the extension. Two steps on one subject therefore queue on the subject's row
# and never hold one row each while waiting for the other's (no deadlock between a decision and
# a request, a transition of the subject, or another decision).


@dataclass(frozen=True)
class ExtensionSubject:
    """What the one request and decision path needs of a kind of subject."""

    lock: Callable[[int], object]  # pk -> the subject, its row locked (with what the rest reads)
    context: Callable[[object], dict]  # subject -> the context of its messages
    requester: Callable[[object], int | None]  # subject -> who may ask (its responsible person)
    not_open: Callable[[object], str]  # subject -> why no request can be made now ("" if one can)
    deciders: Callable[[object, User], list[int]]  # (subject, requester) -> who is asked to decide
    check_new_due: Callable[[object, dt.datetime], None] = lambda subject, new_due_at: None  # raises ValueError


_EXTENSION_SUBJECTS: dict[str, ExtensionSubject] = {}


def register_extension_subject(field: str, subject: ExtensionSubject) -> None:
    """``field``: the ``ExtensionRequest`` foreign key that points at this kind of subject."""
    _EXTENSION_SUBJECTS[field] = subject


@transaction.atomic
def extension_ask(
    *, subject_field: str, subject, actor: User, new_due_at: dt.datetime, reason: str
) -> ExtensionRequest:
    """The subject's responsible person asks for a later deadline (延期申请), on any subject;
    one pending request per subject at a time; those who may decide are told."""
    kind = _EXTENSION_SUBJECTS[subject_field]
    subject = kind.lock(subject.pk)  # the lock order above: the subject first
    if actor.pk != kind.requester(subject):
        raise TransitionForbidden(_("Only the person responsible may request an extension."))
    refusal = kind.not_open(subject)
    if refusal:
        raise TransitionConflict(refusal)
    kind.check_new_due(subject, new_due_at)
    extension = extension_open(
        subject_field=subject_field, subject=subject, actor=actor, new_due_at=new_due_at, reason=reason
    )
    context = {**kind.context(subject), "new_due_at": local_minute(new_due_at), "reason": reason}
    emit(
        "extension.requested", subject=extension, recipients=kind.deciders(subject, actor), actor=actor, context=context
    )
    return extension


def extension_open(
    *, subject_field: str, subject, actor: User, new_due_at: dt.datetime, reason: str
) -> ExtensionRequest:
    """Open a pending request on an item or a work order (``subject_field`` "item" / "issue") and
    log it. Caller holds the subject's row lock (see the lock order above), so at most one
    request is pending at a time."""
    pending = ExtensionRequest.objects.filter(**{subject_field: subject}, state=ExtensionRequest.State.PENDING)
    if pending.exists():
        raise TransitionConflict("An extension request is already pending.")
    extension = ExtensionRequest.objects.create(
        **{subject_field: subject},
        new_due_at=new_due_at,
        previous_due_at=subject.due_at,
        reason=reason,
        requested_by=actor,
    )
    append_log(
        extension,
        transition="request",
        source="",
        target=extension.state,
        actor=actor,
        comment=reason,
        payload={"new_due_at": new_due_at.isoformat()},
    )
    return extension


def _lock_extension(extension: ExtensionRequest) -> tuple[object, ExtensionRequest, ExtensionSubject]:
    """The subject, then the extension, each row locked (the lock order above)."""
    kind = _EXTENSION_SUBJECTS[extension.subject_field]
    subject = kind.lock(extension.subject_id)
    locked = ExtensionRequest.objects.select_for_update(of=("self",)).get(pk=extension.pk)
    ExtensionRequest._meta.get_field(locked.subject_field).set_cached_value(locked, subject)
    return subject, locked, kind


@transaction.atomic
def extension_approve(*, extension: ExtensionRequest, actor: User, comment: str = "") -> ExtensionRequest:
    """Approve a request on any subject: the subject's deadline moves (the original one is kept),
    logged on the subject as ``extend``. Who may: whoever may move the subject's deadline, never
    the requester (``ExtensionRequest._decider``: the one check, made by the approval itself)."""
    subject, extension, kind = _lock_extension(extension)
    extension.decided_by = actor
    apply_transition(extension, "approve", actor=actor, comment=comment)
    apply_transition(
        subject,
        "move_deadline",
        actor=actor,
        name="extend",
        check_permission=False,  # the approval above checked the same rule
        comment=extension.reason,
        payload={
            "from": subject.due_at.isoformat() if subject.due_at else None,
            "to": extension.new_due_at.isoformat(),
            "extension": extension.pk,
        },
        new_due_at=extension.new_due_at,
    )
    context = {**kind.context(subject), "decision": "approved"}
    emit("extension.decided", subject=extension, recipients=[extension.requested_by_id], actor=actor, context=context)
    return extension


@transaction.atomic
def extension_reject(*, extension: ExtensionRequest, actor: User, reason: str, comment: str = "") -> ExtensionRequest:
    """Reject a request on any subject: the deadline stays; the request, its log and the
    requester's message are written. Who may: as for approval."""
    subject, extension, kind = _lock_extension(extension)
    extension.decided_by = actor
    apply_transition(extension, "reject", actor=actor, comment=reason, payload={"reason": reason}, reason=reason)
    context = {**kind.context(subject), "decision": "rejected", "reason": reason}
    emit("extension.decided", subject=extension, recipients=[extension.requested_by_id], actor=actor, context=context)
    return extension


register_extension_subject("item", ExtensionSubject(
    lock=_lock_item, context=_item_context, requester=lambda item: item.assignee_id,
    not_open=lambda item: "" if item.state in Item.OPEN_STATES else "The item is not open.",
    deciders=lambda item, _requester: _verifiers(item),
))  # fmt: skip


def extension_request(*, item: Item, actor: User, new_due_at: dt.datetime, reason: str) -> ExtensionRequest:
    """The assignee asks for a later deadline for their item (``extension_ask``)."""
    return extension_ask(subject_field="item", subject=item, actor=actor, new_due_at=new_due_at, reason=reason)
