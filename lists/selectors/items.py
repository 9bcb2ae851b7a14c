"""Reads shared by pages and the API; they own select_related/prefetch so no caller meets an N+1."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from organization.models import User
from organization.scoping import scope_for
from workflows.calendar import local_minute
from workflows.inbox import url_maker as _item_url_maker

from ..models import ExtensionRequest, ResponsibilityItem, ResponsibilityList

Item = ResponsibilityItem


def lists_visible_to(user) -> QuerySet[ResponsibilityList]:
    scope = scope_for(user)
    return ResponsibilityList.objects.filter(scope.readable_units_q("unit__path")).select_related("unit")


def items_visible_to(user, *, related: bool = True) -> QuerySet[Item]:
    """Items of units the user may read, plus items they are assigned to or co-handle anywhere.

    ``related=False``: the bare rows, for a visibility check or a read of chosen columns."""
    scope = scope_for(user)
    q = scope.readable_units_q("list__unit__path")
    if not scope.is_admin:
        # Co-handled items through a subquery, not a join: a join repeats rows and needs a
        # DISTINCT over every column (and a count of the whole distinct set to paginate).
        q |= Q(assignee_id=user.pk) | Q(pk__in=_co_handled_by(user)) | Q(lead_leader_id=user.pk)
    items = Item.objects.filter(q)
    if not related:
        return items
    return items.select_related("list__unit", "assignee", "lead_leader", "category").prefetch_related(
        co_handlers_in_order()
    )


def item_is_visible_to(item: Item, user, co_handler_ids) -> bool:
    """``items_visible_to``'s rule on one item that holds its list and unit (``co_handler_ids``:
    its co-handlers). tests/lists/test_selectors.py holds the two to agreement."""
    if user.pk in (item.assignee_id, item.lead_leader_id) or user.pk in co_handler_ids:
        return True
    return scope_for(user).can_read_unit(item.list.unit)


def item_for_transition(user, pk) -> tuple[Item, list[int]] | None:
    """The item ``pk`` with what its transitions and their answer read (list and unit, assignee,
    lead leader, category) and its co-handlers' ids in id order, if ``user`` may see it. Two
    plain queries by primary key: for one item, cheaper than ``items_visible_to``'s filter."""
    try:
        item = Item.objects.select_related("list__unit", "assignee", "lead_leader", "category").get(pk=pk)
    except (Item.DoesNotExist, TypeError, ValueError):
        return None
    co_handler_ids = co_handlers_by_item(pk=item.pk).get(item.pk, [])
    if not item_is_visible_to(item, user, co_handler_ids):
        return None
    return item, co_handler_ids


def _co_handled_by(user):
    """Ids of the items ``user`` co-handles, as a subquery (a join would repeat item rows)."""
    return Item.co_handlers.through.objects.filter(user_id=user.pk).values("responsibilityitem_id")


def co_handlers_in_order() -> Prefetch:
    """协办 of each item by user id: the order the API and the pages show them in."""
    return Prefetch("co_handlers", queryset=User.objects.order_by("pk"))


def items_for_user(user) -> QuerySet[Item]:
    """ "My items": assigned to the user (the cadre's task list)."""
    return (
        Item.objects.filter(assignee=user)
        .exclude(state=Item.State.DRAFT)
        .select_related("list__unit", "lead_leader", "category")
        .order_by("due_at", "pk")
    )


def items_of_list(lst: ResponsibilityList) -> QuerySet[Item]:
    return lst.items.select_related("assignee", "lead_leader", "category").prefetch_related(co_handlers_in_order())


def co_handlers_by_item(*user_columns: str, **item_filter) -> dict[int, list]:
    """协办 of the items matching ``item_filter`` (lookups on the item, e.g. ``pk__in=…`` or
    ``list=…``), in user id order, in one query: each item's user ids, or tuples of
    ``user_columns`` when given."""
    through = Item.co_handlers.through.objects.filter(
        **{f"responsibilityitem__{lookup}": value for lookup, value in item_filter.items()}
    ).order_by("responsibilityitem_id", "user_id")
    result: dict[int, list] = {}
    if user_columns:
        rows = through.values_list("responsibilityitem_id", *(f"user__{c}" for c in user_columns))
        for item_id, *values in rows:
            result.setdefault(item_id, []).append(tuple(values))
    else:
        for item_id, user_id in through.values_list("responsibilityitem_id", "user_id"):
            result.setdefault(item_id, []).append(user_id)
    return result


def items_of_list_page(lst: ResponsibilityList) -> list[Item]:
    """The items of a list with only the columns its page shows, each with ``co_handler_names``
    (协办, in user id order) read in one query: prefetching built a queryset per item.

    Each also carries what its row would otherwise compute per row in the template, about a
    third of the page's rendering: ``detail_url`` (one ``reverse()`` for the whole list) and
    ``due_label`` (the deadline in the current time zone, as ``|date:"Y-m-d H:i"`` gives it)."""
    columns = ["title", "urgent", "state", "warning_level", "due_at", "progress_percent", "category__name"]
    for user in ("assignee", "lead_leader"):
        columns += [user, *(f"{user}__{column}" for column in User.NAME_COLUMNS)]
    items = list(lst.items.select_related("assignee", "lead_leader", "category").only("list", "category", *columns))
    co_handlers = co_handlers_by_item(*User.NAME_COLUMNS, list=lst)
    detail_url = _item_url_maker("lists:item-detail")
    for item in items:
        item.co_handler_names = [User.name_from(*name) for name in co_handlers.get(item.pk, [])]
        item.detail_url = detail_url(item.pk)
        item.due_label = local_minute(item.due_at)
    return items


def items_awaiting_verification(user) -> QuerySet[Item]:
    """Submitted items in units the user leads, which they may verify (not their own)."""
    scope = scope_for(user)
    if not scope.led_paths and not scope.is_admin:
        return Item.objects.none()
    return (
        Item.objects.filter(scope.led_units_q("list__unit__path"), state=Item.State.SUBMITTED)
        .exclude(assignee=user)
        .select_related("list__unit", "assignee", "category")
        .order_by("submitted_at", "pk")
    )


def extensions_visible_to(user) -> QuerySet[ExtensionRequest]:
    """Extension requests on items and work orders the user may read."""
    from issues.selectors import issues_visible_to

    items = items_visible_to(user).values("pk")
    issues = issues_visible_to(user).values("pk")
    return ExtensionRequest.objects.filter(Q(item__in=items) | Q(issue__in=issues)).select_related(
        "item__list__unit", "item__assignee", "issue__unit", "requested_by", "decided_by"
    )


def extensions_awaiting_decision(user) -> QuerySet[ExtensionRequest]:
    scope = scope_for(user)
    if not scope.led_paths and not scope.is_admin:
        return ExtensionRequest.objects.none()
    return (
        ExtensionRequest.objects.filter(
            scope.led_units_q("item__list__unit__path"), state=ExtensionRequest.State.PENDING
        )
        .exclude(requested_by=user)
        .select_related("item__list__unit", "requested_by")
    )
