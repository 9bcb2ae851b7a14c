"""The floor of each read: the same rows fetched by one hand-written SQL statement, as JSON.

Not part of the application; only ``bench.urls`` mounts these views (``/bench/floor/read/<name>/``).
``bench/load.py`` measures each read endpoint against its floor in the same run, with the same
users and the same authentication (a token for the API, the session for the pages): what the
endpoint costs beyond this is Dutyflow's Python (the ORM, serializers, templates, middleware
being the same for both).

Every floor is a DRF ``APIView`` (the project's authentication and permission classes) whose
``get`` runs one statement and returns its rows as ``JsonResponse`` built from the cursor's
columns. The caller's scope is inside the statement, as the rule the bench's callers meet:
a unit is readable when it lies under a unit the caller holds a membership in (leaders, cadres,
commissioners, observers), and an item also when the caller is its assignee, lead leader or a
co-handler. Admins, the jurisdictions a commissioner covers besides their own subtree and the
township boundary of multi-township people are not modelled (the bench has none of them).

``tests/test_bench_read_floors.py`` holds each floor's rows to its endpoint's rows.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.http import JsonResponse
from rest_framework.views import APIView
from viewflow.workflow.models import Process, Task

from lists.models import ItemProcess, ListProcess, ResponsibilityItem, ResponsibilityList, TaskCategory
from notifications.models import Notification
from organization.models import Membership, Unit, User
from reports.metrics import Period
from reports.selectors import current_quarter
from supervision.models import SupervisionCase
from workflows.models import TransitionLog

PAGE_SIZE = 50
OPEN = ResponsibilityItem.OPEN_STATES
CLOCK = ("assigned", "accepted", "in_progress", "submitted", "returned")  # suspended items' clocks stop


def _tables() -> dict[str, str]:
    return {
        "items": ResponsibilityItem._meta.db_table,
        "co": ResponsibilityItem.co_handlers.through._meta.db_table,
        "lists": ResponsibilityList._meta.db_table,
        "units": Unit._meta.db_table,
        "users": User._meta.db_table,
        "members": Membership._meta.db_table,
        "log": TransitionLog._meta.db_table,
        "cases": SupervisionCase._meta.db_table,
        "notes": Notification._meta.db_table,
        "tasks": Task._meta.db_table,
        "processes": Process._meta.db_table,
        "item_processes": ItemProcess._meta.db_table,
        "list_processes": ListProcess._meta.db_table,
        "ctypes": ContentType._meta.db_table,
        "categories": TaskCategory._meta.db_table,
    }


# -- fragments -----------------------------------------------------------------------------------

#: a unit ``u`` the caller may read (a membership on it or above it)
READABLE_UNIT = (
    "EXISTS (SELECT 1 FROM {members} m JOIN {units} mu ON mu.id = m.unit_id "
    "WHERE m.user_id = %(user)s AND u.path LIKE mu.path || '%%')"
)
#: an item ``i`` of unit ``u`` the caller may read
VISIBLE_ITEM = (
    f"({READABLE_UNIT} OR i.assignee_id = %(user)s OR i.lead_leader_id = %(user)s "
    "OR i.id IN (SELECT responsibilityitem_id FROM {co} WHERE user_id = %(user)s))"
)
#: a unit ``u`` in the caller's jurisdiction (commissioners and observers)
SUPERVISED_UNIT = (
    "EXISTS (SELECT 1 FROM {members} m JOIN {units} mu ON mu.id = m.unit_id "
    "WHERE m.user_id = %(user)s AND m.role IN ('commissioner', 'observer') AND u.path LIKE mu.path || '%%')"
)
#: the columns of an item's API row (``ItemRowSerializer``), its co-handlers' ids and the count
ITEM_ROW = """
    SELECT i.id, i.list_id AS list, to_char(l.month, 'YYYY-MM') AS list_month, l.unit_id AS unit,
           u.name AS unit_name, i.title, i.standard, i.category_id AS category, i.urgent,
           i.assignee_id AS assignee,
           coalesce(nullif(a.display_name, ''), nullif(trim(a.first_name || ' ' || a.last_name), ''), a.username)
               AS assignee_name,
           i.lead_leader_id AS lead_leader,
           coalesce(nullif(ll.display_name, ''), nullif(trim(ll.first_name || ' ' || ll.last_name), ''), ll.username)
               AS lead_leader_name,
           ARRAY(SELECT c.user_id FROM {co} c WHERE c.responsibilityitem_id = i.id ORDER BY c.user_id)
               AS co_handlers,
           i.state, i.due_at, i.original_due_at, i.warning_level, i.escalation_level,
           i.state = ANY(%(open)s) AND i.due_at < now() AS is_overdue, i.progress_percent, i.result,
           i.assigned_at, i.accepted_at, i.submitted_at, i.completed_at, i.on_time,
           i.carried_over_from_id AS carried_over_from, i.sort_order, i.created_at, i.updated_at,
           count(*) OVER () AS total
    FROM {items} i JOIN {lists} l ON l.id = i.list_id JOIN {units} u ON u.id = l.unit_id
         LEFT JOIN {users} a ON a.id = i.assignee_id LEFT JOIN {users} ll ON ll.id = i.lead_leader_id
"""
NAME = "coalesce(nullif({t}.display_name, ''), nullif(trim({t}.first_name || ' ' || {t}.last_name), ''), {t}.username)"

# -- the statements ------------------------------------------------------------------------------

SQL = {
    # GET /api/v1/items/?assignee=me — a page of the caller's items in the API's order
    "my_items": ITEM_ROW
    + f"WHERE i.assignee_id = %(user)s AND {VISIBLE_ITEM} ORDER BY i.list_id, i.sort_order, i.id LIMIT {PAGE_SIZE}",
    # GET /api/v1/items/?list=<pk> — a page of the list's items
    "list_api": ITEM_ROW
    + f"WHERE i.list_id = %(pk)s AND {VISIBLE_ITEM} ORDER BY i.list_id, i.sort_order, i.id LIMIT {PAGE_SIZE}",
    # GET /api/v1/items/<pk>/history/ — the item's log rows, if the caller may read the item
    "history": f"""
        SELECT t.transition, t.source, t.target, a.username AS actor, t.at, t.comment, t.payload
        FROM {{log}} t LEFT JOIN {{users}} a ON a.id = t.actor_id
        WHERE t.content_type_id = %(item_type)s AND t.object_id = %(pk)s
          AND EXISTS (SELECT 1 FROM {{items}} i JOIN {{lists}} l ON l.id = i.list_id JOIN {{units}} u ON u.id = l.unit_id
                      WHERE i.id = %(pk)s AND {VISIBLE_ITEM})
        ORDER BY t.seq""",
    # GET /api/v1/supervision/overdue/ and /supervision/ — a page of the jurisdiction's overdue items
    "overdue": f"""
        SELECT i.id, i.title, i.state, u.id AS unit_id, u.name AS unit_name,
               a.id AS assignee_id, a.username AS assignee_username, {NAME.format(t="a")} AS assignee_name,
               ll.id AS lead_leader_id, ll.username AS lead_leader_username,
               {NAME.format(t="ll")} AS lead_leader_name,
               i.due_at, i.warning_level, i.escalation_level, current_date - i.due_at::date AS days_overdue,
               (SELECT c.id FROM {{cases}} c WHERE c.content_type_id = %(item_type)s AND c.object_id = i.id
                  AND c.state IN ('open', 'acting') ORDER BY c.id LIMIT 1) AS open_case,
               count(*) OVER () AS total
        FROM {{items}} i JOIN {{lists}} l ON l.id = i.list_id JOIN {{units}} u ON u.id = l.unit_id
             LEFT JOIN {{users}} a ON a.id = i.assignee_id LEFT JOIN {{users}} ll ON ll.id = i.lead_leader_id
        WHERE i.state = ANY(%(clock)s) AND i.due_at < now() AND {SUPERVISED_UNIT}
        ORDER BY i.escalation_level DESC, i.due_at, i.id LIMIT {PAGE_SIZE}""",
    # GET /api/v1/inbox/ — the caller's open item and list steps, soonest deadline first
    "inbox": f"""
        SELECT * FROM (
            SELECT 'item' AS subject_type, i.id AS subject_id, i.title,
                   substring(t.flow_task FROM '[^.]+$') AS action, i.due_at
            FROM {{tasks}} t JOIN {{item_processes}} p ON p.process_ptr_id = t.process_id
                 JOIN {{items}} i ON i.id = p.item_id
            WHERE t.owner_id = %(user)s AND t.status IN ('NEW', 'ASSIGNED', 'STARTED') AND t.flow_task_type = 'HUMAN'
            UNION ALL
            SELECT 'list', l.id, l.title, substring(t.flow_task FROM '[^.]+$'), NULL
            FROM {{tasks}} t JOIN {{list_processes}} p ON p.process_ptr_id = t.process_id
                 JOIN {{lists}} l ON l.id = p.list_id
            WHERE t.owner_id = %(user)s AND t.status IN ('NEW', 'ASSIGNED', 'STARTED') AND t.flow_task_type = 'HUMAN'
        ) steps
        ORDER BY due_at IS NULL, due_at, subject_type, subject_id LIMIT {PAGE_SIZE}""",
    # GET /api/v1/notifications/ — a page of the caller's notifications, newest first
    "notifications": f"""
        SELECT n.id, n.event, ct.model AS subject_type, n.subject_id, n.text, n.link, n.urgent, n.created_at,
               n.read_at, n.read_at IS NOT NULL AS is_read, count(*) OVER () AS total
        FROM {{notes}} n LEFT JOIN {{ctypes}} ct ON ct.id = n.subject_type_id
        WHERE n.recipient_id = %(user)s ORDER BY n.created_at DESC, n.id DESC LIMIT {PAGE_SIZE}""",
    # GET /lists/<pk>/ — every item of the list with the columns its page shows
    "list_page": f"""
        SELECT i.id, i.title, i.urgent, i.state, i.warning_level, i.due_at, i.progress_percent,
               cat.name AS category, {NAME.format(t="a")} AS assignee, {NAME.format(t="ll")} AS lead_leader,
               ARRAY(SELECT {NAME.format(t="cu")} FROM {{co}} c JOIN {{users}} cu ON cu.id = c.user_id
                     WHERE c.responsibilityitem_id = i.id ORDER BY c.user_id) AS co_handlers
        FROM {{items}} i JOIN {{lists}} l ON l.id = i.list_id JOIN {{units}} u ON u.id = l.unit_id
             LEFT JOIN {{categories}} cat ON cat.id = i.category_id
             LEFT JOIN {{users}} a ON a.id = i.assignee_id LEFT JOIN {{users}} ll ON ll.id = i.lead_leader_id
        WHERE i.list_id = %(pk)s AND {READABLE_UNIT}
        ORDER BY i.sort_order, i.id""",
    # GET /lists/my/ — the caller's open items, and the open items they co-handle
    "my_tasks": f"""
        SELECT i.id, i.title, i.state, i.warning_level, i.due_at, i.progress_percent, u.name AS unit,
               l.month, cat.name AS category, {NAME.format(t="ll")} AS lead_leader, mine.co_handled
        FROM (SELECT id, false AS co_handled FROM {{items}} WHERE assignee_id = %(user)s AND state = ANY(%(open)s)
              UNION ALL
              SELECT responsibilityitem_id, true FROM {{co}} WHERE user_id = %(user)s) mine
             JOIN {{items}} i ON i.id = mine.id JOIN {{lists}} l ON l.id = i.list_id JOIN {{units}} u ON u.id = l.unit_id
             LEFT JOIN {{categories}} cat ON cat.id = i.category_id
             LEFT JOIN {{users}} ll ON ll.id = i.lead_leader_id
        WHERE i.state = ANY(%(open)s)
        ORDER BY mine.co_handled, i.due_at, i.id""",
    # GET /reports/ — the dashboard's per-unit figures of the quarter in the caller's township
    # (items due, completed, completed on time, open and overdue, by warning colour) and its
    # ten longest-overdue items; not the scores and ranks the assessment derives from them
    "dashboard": f"""
        WITH units AS (
            SELECT u.id, u.name, u.path FROM {{units}} u WHERE {READABLE_UNIT}
        ), figures AS (
            SELECT u.id, u.name,
                   count(*) FILTER (WHERE i.due_at >= %(start)s AND i.due_at < %(end)s) AS due,
                   count(*) FILTER (WHERE i.state = 'completed' AND i.due_at >= %(start)s AND i.due_at < %(end)s)
                       AS completed,
                   count(*) FILTER (WHERE i.on_time AND i.due_at >= %(start)s AND i.due_at < %(end)s) AS on_time,
                   count(*) FILTER (WHERE i.state = ANY(%(clock)s) AND i.due_at < now()) AS overdue,
                   count(*) FILTER (WHERE i.state = ANY(%(open)s) AND i.warning_level = 'yellow') AS yellow,
                   count(*) FILTER (WHERE i.state = ANY(%(open)s) AND i.warning_level = 'red') AS red,
                   NULL::bigint AS item, NULL::text AS title, NULL::timestamptz AS due_at
            FROM units u JOIN {{lists}} l ON l.unit_id = u.id JOIN {{items}} i ON i.list_id = l.id
            WHERE l.month >= %(first_month)s OR i.state = ANY(%(open)s)
            GROUP BY u.id, u.name
        ), top AS (
            SELECT u.id, u.name, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint,
                   i.id, i.title, i.due_at
            FROM units u JOIN {{lists}} l ON l.unit_id = u.id JOIN {{items}} i ON i.list_id = l.id
            WHERE i.state = ANY(%(open)s) AND i.due_at < now()
            ORDER BY i.due_at, i.id LIMIT 10
        )
        SELECT * FROM figures UNION ALL SELECT * FROM top""",
}


class ReadFloor(APIView):
    """One statement, its rows as JSON: ``{"count": …, "results": [...]}`` (the count from the
    statement's ``total`` column where it pages)."""

    name = ""

    def get(self, request, pk: int | None = None):
        params = {
            "user": request.user.pk,
            "pk": pk,
            "open": list(OPEN),
            "clock": list(CLOCK),
            "item_type": ContentType.objects.get_for_model(ResponsibilityItem).pk,
        }
        if self.name == "dashboard":
            period = Period.quarter_of(*current_quarter())
            params.update(start=period.start, end=period.end, first_month=period.start.date().replace(day=1))
        with connection.cursor() as cursor:
            cursor.execute(SQL[self.name].format(**_tables()), params)
            columns = [column.name for column in cursor.description]
            rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        count = len(rows)
        if rows and "total" in rows[0]:
            count = rows[0]["total"]
            for row in rows:
                del row["total"]
        return JsonResponse({"count": count, "results": rows}, encoder=DjangoJSONEncoder)


FLOORS = {name: type(f"{name}Floor", (ReadFloor,), {"name": name}) for name in SQL}
