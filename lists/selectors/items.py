"""Reads shared by pages and the API; they own select_related/prefetch so no caller meets an N+1."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

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


def participates(user, item: Item) -> bool:
    """Who may act on an item at all: its cadre, its co-handlers and the unit's leaders."""
    if user.pk == item.assignee_id or scope_for(user).leads(item.list.unit):
        return True
    return item.co_handlers.filter(pk=user.pk).exists()


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


class ItemRowBuilder:
    """What every item row of a page shows, made once per page (labels in the request's
    language, the item link's pattern): ``row()`` gives a row's common keys ``pk``, ``title``,
    ``urgent``, ``state`` with ``state_label``, ``warning_level`` with ``warning_label``,
    ``progress_percent``, ``category_name``, ``due_label`` (``|date:"Y-m-d H:i"`` of the
    deadline in the current time zone) and ``detail_url``. ``warning_level`` is the colour the
    page shows (``ResponsibilityItem.shown_warning_level``): red as soon as the deadline passes
    while the cadre's clock runs, not when the sweep next runs.

    Pages get dicts, not items: the template engine finds a dict's key at its first try, where a
    model instance costs a failed subscript and an attribute lookup per variable, and a page of
    items with their category and people is hundreds of instances to build."""

    def __init__(self):
        self.detail_url = _item_url_maker("lists:item-detail")
        self.state_labels = {state: str(label) for state, label in Item.State.choices}
        self.warning_labels = {level: str(label) for level, label in Item.Warning.choices}
        self.now = timezone.now()

    def row(self, pk, title, urgent, state, warning, progress, category, due_at) -> dict:
        if state in Item.CLOCK_STATES and due_at is not None and due_at <= self.now:
            warning = Item.Warning.RED
        return {
            "pk": pk,
            "title": title,
            "urgent": urgent,
            "state": state,
            "state_label": self.state_labels.get(state, state),
            "warning_level": warning,
            "warning_label": self.warning_labels.get(warning, warning),
            "progress_percent": progress,
            "category_name": category,
            "due_label": local_minute(due_at),
            "detail_url": self.detail_url(pk),
        }


#: The columns ``ItemRowBuilder.row`` takes, in its order.
ITEM_ROW_BASICS = ("id", "title", "urgent", "state", "warning_level", "progress_percent", "category__name", "due_at")


def items_of_list_page(lst: ResponsibilityList) -> list[dict]:
    """The rows of a list's page (``ItemRowBuilder``'s keys, plus ``assignee_id``,
    ``assignee_name`` and ``lead_leader_name``, None when unset, and ``co_handler_names``, 协办 in
    user id order): one query for the rows, one for the co-handlers."""
    names = [f"{person}__{column}" for person in ("assignee", "lead_leader") for column in User.NAME_COLUMNS]
    columns = [*ITEM_ROW_BASICS, "assignee_id", "lead_leader_id", *names]
    co_handlers = co_handlers_by_item(*User.NAME_COLUMNS, list=lst)
    builder = ItemRowBuilder()
    items = []
    n = len(ITEM_ROW_BASICS)
    for values in lst.items.order_by("sort_order", "pk").values_list(*columns):
        row = builder.row(*values[:n])
        assignee_id, lead_leader_id, *people = values[n:]
        row["assignee_id"] = assignee_id
        row["assignee_name"] = User.name_from(*people[:4]) if assignee_id else None
        row["lead_leader_name"] = User.name_from(*people[4:]) if lead_leader_id else None
        row["co_handler_names"] = [User.name_from(*name) for name in co_handlers.get(row["pk"], [])]
        items.append(row)
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
    """Pending extension requests the user decides: on items of the units they lead and on work
    orders whose deadline they may move (dispatchers, leaders of the handling unit); never
    their own requests."""
    from issues.selectors import issues_whose_deadline_user_moves

    scope = scope_for(user)
    subjects = scope.led_units_q("item__list__unit__path") | Q(
        issue__in=issues_whose_deadline_user_moves(user).values("pk")
    )
    return (
        ExtensionRequest.objects.filter(subjects, state=ExtensionRequest.State.PENDING)
        .exclude(requested_by=user)
        .select_related("item__list__unit", "issue__unit", "requested_by")
    )
