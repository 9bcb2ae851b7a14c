"""Inbox providers of Party life: activities (check in, record, make up) and findings."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organization.models import Membership, path_prefix_q
from organization.scoping import scope_for
from workflows.inbox import InboxProvider, register_inbox_provider

from .models import CHECK_IN_OPENS_BEFORE, MEMBER_ROLES, Absence, Activity, Attendance, Finding

ACTION_LABELS = {
    "check_in": _("Check in"),
    "record": _("Record the activity"),
    "make_up": _("Make up what you missed"),
    "decide_finding": _("Accept or dismiss the finding"),
}
#: A member is asked to check in from an hour before the start until this long after it.
CHECK_IN_ROW_FOR = dt.timedelta(hours=12)


def _row(subject_type, subject_id, title, action, due_at, url) -> dict:
    return {
        "subject_type": subject_type,
        "subject_id": subject_id,
        "title": title,
        "action": action,
        "action_label": ACTION_LABELS[action],
        "due_at": due_at,
        "url": url,
    }


def activity_rows(user) -> list[dict]:
    """Check in (members, while the window is open and they have not), record (organisers, once
    the activity has started), make up (absentees). Three queries."""
    scope = scope_for(user)
    if scope.user_id is None:
        return []
    now = timezone.now()
    township = scope.township_q("unit__path")
    scheduled = Activity.objects.filter(township, state=Activity.State.SCHEDULED)
    mine = Membership.objects.filter(user_id=user.pk, role__in=MEMBER_ROLES).values("unit_id")
    to_check_in = (
        scheduled.filter(
            unit_id__in=mine,
            scheduled_at__lte=now + CHECK_IN_OPENS_BEFORE,
            scheduled_at__gte=now - CHECK_IN_ROW_FOR,
        )
        .exclude(Exists(Attendance.objects.filter(activity=OuterRef("pk"), user_id=user.pk)))
        .values("pk", "title", "scheduled_at")
    )
    rows = [_row("activity", a["pk"], a["title"], "check_in", a["scheduled_at"], _url(a["pk"])) for a in to_check_in]
    organised = (
        Q()
        if scope.is_admin
        else scope.led_units_q("unit__path") | path_prefix_q(*scope.organised_paths, field="unit__path")
    )
    if scope.is_admin or scope.led_paths or scope.organised_paths:
        for a in scheduled.filter(organised, scheduled_at__lte=now).values("pk", "title", "scheduled_at"):
            rows.append(_row("activity", a["pk"], a["title"], "record", a["scheduled_at"], _url(a["pk"])))
    for a in Absence.objects.filter(
        scope.township_q("activity__unit__path"), user_id=user.pk, makeup_done_at__isnull=True
    ).values("activity_id", "activity__title", "activity__scheduled_at"):
        rows.append(_row("activity", a["activity_id"], a["activity__title"], "make_up", None, _url(a["activity_id"])))
    return rows


def _url(pk: int) -> str:
    return reverse("partylife:activity-detail", args=[pk])


def finding_rows(user) -> list[dict]:
    """Filed findings in the commissioner's jurisdiction (one query)."""
    scope = scope_for(user)
    if not scope.overseen_paths and not scope.is_admin:
        return []
    q = Q() if scope.is_admin else scope.overseen_units_q("unit__path") & scope.township_q("unit__path")
    return [
        _row(
            "finding",
            f["pk"],
            f["title"],
            "decide_finding",
            None,
            reverse("partylife:finding-detail", args=[f["pk"]]),
        )
        for f in Finding.objects.filter(q, state=Finding.State.FILED).values("pk", "title").order_by("filed_at", "pk")
    ]


def register_inbox_providers() -> None:
    register_inbox_provider(InboxProvider("activity", _("Activity"), activity_rows, ("check_in", "record", "make_up")))
    register_inbox_provider(InboxProvider("finding", _("Finding"), finding_rows, ("decide_finding",)))
