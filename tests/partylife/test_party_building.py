"""The quarterly assessment's ``party_building`` figures per unit (API, Excel, dashboard)."""

import datetime as dt

from django.utils import timezone

from organization.models import Pairing
from partylife import services

ALL_PARTS = ["oath", "study", "discipline_lesson", "dues", "deliberation"]


def held_activity(personas):
    activity = services.activity_create(
        actor=personas.leader,
        unit=personas.branch,
        kind="theme_party_day",
        title="主题党日",
        scheduled_at=timezone.now() - dt.timedelta(minutes=10),
    )
    services.activity_check_in(activity=activity, actor=personas.cadre)
    return services.activity_record(
        activity=activity,
        actor=personas.leader,
        minutes="纪要",
        parts=ALL_PARTS,
        absentees=[{"user": personas.colleague, "reason": "病假"}],
    )


def test_branch_row_carries_party_building(personas, api_as):
    held_activity(personas)
    pairing = Pairing.objects.filter(branch=personas.branch).select_related("partner").first()
    services.visit_create(
        visitor=personas.cadre, unit=pairing.partner, branch=personas.branch, visited_on=timezone.localdate(), notes="n"
    )
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    body = api_as(personas.secretary).get(f"/api/v1/reports/quarterly/?year={today.year}&quarter={quarter}").json()
    rows = {row["id"]: row for row in body["units"]}
    figures = rows[personas.branch.pk]["party_building"]
    paired = Pairing.objects.filter(branch=personas.branch).count()
    assert figures == {
        "activities_held": 1,
        "required_parts_complete": 1.0,
        "attendance_rate": 0.5,
        "visit_coverage": round(1 / paired, 4),
    }
    assert rows[personas.other_branch.pk]["party_building"]["activities_held"] == 0
    assert rows[personas.other_branch.pk]["party_building"]["attendance_rate"] is None
    township = next(r for r in body["units"] if r["kind"] == "township" and r["name"] == "青山镇")
    assert township["party_building"]["activities_held"] == 1
