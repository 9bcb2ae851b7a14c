"""A second hand-built quarter (2026 Q3): every figure below is worked out by hand in the comments.

The business-only scheme (conftest.py): weights acceptance 20, completion 60, pledges 20 (a metric with nothing
due gives its weight to the others); 2 points off per overdue item, 3 per yellow card; members
start at 60, +5 per item completed on time, −5 per overdue item, −10 per card; grades from 90 /
70 / 60. Working days: August 2026 has no holiday, so Mon–Fri.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from openpyxl import load_workbook

from issues import services as issue_services
from lists import services
from organization.models import Membership, Unit, User
from reports.selectors import quarterly_assessment
from tests.reports.helpers import at, business_scheme, card

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/quarterly/"
XLSX_URL = "/api/v1/reports/quarterly.xlsx"
Q3 = {"year": 2026, "quarter": 3}
DUE = at(8, 20, 18)  # Thursday 20 August 2026, 18:00


def people_of(code: str) -> tuple[Unit, User, User]:
    unit = Unit.objects.get(code=code)
    leader = User.objects.get(memberships__unit=unit, memberships__role=Membership.Role.LEADER)
    cadre = User.objects.filter(memberships__unit=unit, memberships__role=Membership.Role.CADRE).order_by("username")[0]
    return unit, leader, cadre


def published(unit, leader, assignee, *, due=DUE, count=1):
    """Items of ``unit``'s August list, published (assigned) on Monday 3 August 09:00."""
    with time_machine.travel(at(8, 3), tick=False):
        lst = services.list_create(unit=unit, month=dt.date(2026, 8, 1), title="8月清单", actor=leader)
        items = [
            services.item_create(
                lst=lst,
                actor=leader,
                title=f"事项{n}",
                standard="完成",
                assignee=assignee,
                lead_leader=leader,
                due_at=due,
            )  # fmt: skip
            for n in range(count)
        ]
        services.list_publish(lst=lst, actor=leader)
    for item in items:
        item.refresh_from_db()
    return items


def accept(item, when=None):
    with time_machine.travel(when or at(8, 3, 10), tick=False):
        return services.item_accept(item=item, actor=item.assignee)


def complete(item, leader, *, submit, verify):
    with time_machine.travel(submit, tick=False):
        item = services.item_report_progress(item=item, actor=item.assignee, text="推进中", percent=50)
        item = services.item_submit(item=item, actor=item.assignee, result="已完成")
    with time_machine.travel(verify, tick=False):
        item = services.item_verify(item=item, actor=leader)
    item.refresh_from_db()
    return item


def unit_row(assessment, unit):
    return next(r for r in assessment.units if r.unit.pk == unit.pk)


def person_row(assessment, user):
    return next(r for r in assessment.persons if r.user_id == user.pk)


def q3():
    return quarterly_assessment(year=2026, quarter=3, now=at(11, 1))


def three_branches():
    """Branches 01 and 02 each finish one item early; branch 03 finishes its item late.

    All three items: assigned Mon 3 Aug 09:00, accepted the same day (0 working days ≤ 1: on
    time), due Thu 20 Aug 18:00.
    - branch 01, 02: submitted and verified Mon 10 Aug → on time.
    - branch 03: submitted Mon 24 Aug, verified Tue 25 Aug → late.
    """
    result = {}
    for code, late in (("branch01", False), ("branch02", False), ("branch03", True)):
        unit, leader, cadre = people_of(code)
        (item,) = published(unit, leader, cadre)
        item = accept(item)
        if late:
            item = complete(item, leader, submit=at(8, 24, 10), verify=at(8, 25, 10))
        else:
            item = complete(item, leader, submit=at(8, 10, 10), verify=at(8, 10, 15))
        result[code] = (unit, leader, cadre, item)
    return result


# -- ranking and ties -------------------------------------------------------------------------


def test_equal_scores_share_a_rank_and_the_next_rank_skips(personas):
    b = three_branches()
    assessment = q3()
    rows = [unit_row(assessment, b[code][0]) for code in ("branch01", "branch02", "branch03")]
    # 01, 02: rates 1/1 and 1/1, no pledges → 100 × (20·1 + 60·1) / 80 = 100, nothing deducted.
    # 03: acceptance 1/1, completion 0/1 → 100 × 20/80 = 25, minus 2 for its overdue item = 23.
    assert [(r.score, r.deductions, r.rank) for r in rows] == [
        (Decimal("100.00"), Decimal("0"), 1),
        (Decimal("100.00"), Decimal("0"), 1),
        (Decimal("23.00"), Decimal("2"), 3),
    ]


def test_tied_units_are_listed_in_tree_order_everywhere(personas, api_as, client):
    b = three_branches()
    names = [b[code][0].name for code in ("branch01", "branch02", "branch03")]
    ws = load_workbook(io.BytesIO(api_as(personas.secretary).get(XLSX_URL, Q3).content)).worksheets[0]
    in_sheet = [r[1] for r in ws.iter_rows(min_row=2, values_only=True) if r[0] is not None]
    client.force_login(personas.secretary)
    on_page = [r.unit.name for r in client.get("/reports/", Q3).context["units"] if r.rank is not None]
    # secondary order of a tie: the unit tree (branch01's path sorts before branch02's)
    assert in_sheet == on_page == names


def test_tied_persons_share_a_rank_and_are_listed_by_account(personas):
    b = three_branches()
    assessment = q3()
    # ranks are per township: 白水镇's people are ranked among themselves
    qingshan = personas.branch.path.split("/")[1]
    persons = [p for p in assessment.persons if p.unit.path.split("/")[1] == qingshan]
    first, second, late = (person_row(assessment, b[code][2]) for code in ("branch01", "branch02", "branch03"))
    # 01's and 02's cadres: 60 + 5 = 65; every cadre with nothing due: 60; 03's cadre: 60 − 5 = 55.
    at_sixty = [p for p in persons if p.points == Decimal("60.00")]
    assert (first.points, second.points, late.points) == (Decimal("65.00"), Decimal("65.00"), Decimal("55.00"))
    assert (first.rank, second.rank, {p.rank for p in at_sixty}, late.rank) == (1, 1, {3}, 3 + len(at_sixty))
    assert [p.username for p in persons[:2]] == sorted([first.username, second.username])
    assert [p.username for p in at_sixty] == sorted(p.username for p in at_sixty)


def test_a_tie_at_the_last_candidate_place_proposes_every_tied_row(personas):
    business_scheme(collective_top_n=1, collective_min_score=90, pioneer_top_n=1, pioneer_min_points=65)
    b = three_branches()
    assessment = q3()
    # top 1 with 01 and 02 tied at rank 1 (100 points; cadres 65 points each): both are proposed
    assert [r.unit.pk for r in assessment.collective_candidates] == [b["branch01"][0].pk, b["branch02"][0].pk]
    assert {p.user_id for p in assessment.pioneer_candidates} == {b["branch01"][2].pk, b["branch02"][2].pk}


def test_a_vetoed_unit_ties_with_no_one_above_it(personas):
    b = three_branches()
    card(personas, b["branch01"][3], "red_card", when=at(9, 1))
    assessment = q3()
    rows = [unit_row(assessment, b[code][0]) for code in ("branch01", "branch02", "branch03")]
    # 01 is vetoed (red card): score 0, below 03's 23 − nothing more; 01 also loses 5 for the card
    # before the veto: raw 100 − 5 = 95.
    assert [(r.score, r.raw_score, r.rank) for r in rows] == [
        (Decimal("0.00"), Decimal("95.00"), 3),
        (Decimal("100.00"), Decimal("100.00"), 1),
        (Decimal("23.00"), Decimal("23.00"), 2),
    ]


# -- lateness and extensions ------------------------------------------------------------------


def test_an_item_completed_after_its_deadline_counts_as_late(personas):
    unit, leader, cadre = people_of("branch01")
    (item,) = published(unit, leader, cadre)
    item = complete(accept(item), leader, submit=at(8, 24, 10), verify=at(8, 25, 10))
    assessment = q3()
    row, person = unit_row(assessment, unit), person_row(assessment, cadre)
    counts = {k: row.counts[k] for k in ("items_due", "completed_on_time", "overdue_items", "overdue_working_days")}
    # due Thu 20 Aug, submitted Mon 24 Aug (verified Tue 25): Fri 21, Mon 24 → 2 overdue working
    # days, counted to the submission as on-time is judged by it, not to the leader's verification
    assert (item.state, item.on_time) == ("completed", False)
    assert counts == {"items_due": 1, "completed_on_time": 0, "overdue_items": 1, "overdue_working_days": 2}
    # 100 × 20/80 × 1 (accepted on time) + 0 (completion) − 2 = 23; the cadre: 60 − 5 = 55, 不合格
    assert (row.rates["on_time_completion_rate"], row.score) == (Decimal("0"), Decimal("23.00"))
    assert (person.points, person.grade) == (Decimal("55.00"), "unqualified")


def test_submitted_in_time_but_verified_late_is_on_time(personas):
    """On time means submitted (办结申请) by the deadline; the leader's verification delay is not the cadre's."""
    unit, leader, cadre = people_of("branch01")
    (item,) = published(unit, leader, cadre)
    complete(accept(item), leader, submit=at(8, 20, 17), verify=at(8, 21, 10))
    row = unit_row(q3(), unit)
    assert (row.counts["completed_on_time"], row.counts["overdue_items"], row.score) == (1, 0, Decimal("100.00"))


def extend(item, leader, *, to, requested=None, approved=None):
    with time_machine.travel(requested or at(8, 18), tick=False):
        extension = services.extension_request(item=item, actor=item.assignee, new_due_at=to, reason="等待材料")
    if approved is False:
        return extension
    with time_machine.travel(approved or at(8, 19), tick=False):
        services.extension_approve(extension=extension, actor=leader)
    item.refresh_from_db()
    return extension


def test_an_approved_extension_moves_the_deadline_the_rate_is_judged_by(personas):
    unit, leader, cadre = people_of("branch01")
    (item,) = published(unit, leader, cadre)
    item = accept(item)
    extend(item, leader, to=at(8, 27, 18))  # 20 Aug → Thu 27 Aug, approved Wed 19 Aug
    # submitted Tue 25 Aug: after the original deadline, before the extended one
    item = complete(item, leader, submit=at(8, 25, 10), verify=at(8, 26, 10))
    row = unit_row(q3(), unit)
    assert (item.original_due_at, item.due_at, item.on_time) == (DUE, at(8, 27, 18), True)
    # on time against 27 Aug: 1/1 on time, nothing overdue, score 100
    assert (row.counts["completed_on_time"], row.counts["overdue_items"], row.score) == (1, 0, Decimal("100.00"))


def test_a_pending_extension_does_not_move_the_deadline(personas):
    unit, leader, cadre = people_of("branch01")
    (item,) = published(unit, leader, cadre)
    item = accept(item)
    extend(item, leader, to=at(8, 27, 18), approved=False)
    item = complete(item, leader, submit=at(8, 25, 10), verify=at(8, 26, 10))
    row = unit_row(q3(), unit)
    # still judged by 20 Aug: late, 21 / 24 / 25 Aug → 3 overdue working days (to the submission)
    assert (row.counts["completed_on_time"], row.counts["overdue_items"], row.counts["overdue_working_days"]) == (
        0,
        1,
        3,
    )


def test_an_extension_into_the_next_quarter_moves_the_item_there(personas):
    unit, leader, cadre = people_of("branch01")
    (item,) = published(unit, leader, cadre, due=at(9, 28, 18))
    item = accept(item)
    extend(item, leader, to=at(10, 16, 18), requested=at(9, 21), approved=at(9, 22))
    q4 = quarterly_assessment(year=2026, quarter=4, now=at(12, 1))
    # counted in the quarter of the deadline in force (16 Oct): Q3 has nothing due, Q4 one overdue item
    assert (unit_row(q3(), unit).counts["items_due"], unit_row(q4, unit).counts["overdue_items"]) == (0, 1)


def test_an_extension_approved_after_the_quarter_leaves_it_unchanged(personas):
    unit, leader, cadre = people_of("branch01")
    (item,) = published(unit, leader, cadre, due=at(9, 24, 18))
    item = accept(item)
    before = unit_row(q3(), unit).counts.copy()
    # requested and approved in October, after the quarter's end: 24 Sep → 16 Oct
    extend(item, leader, to=at(10, 16, 18), requested=at(10, 9), approved=at(10, 12))
    after = unit_row(q3(), unit).counts
    # Q3 as of its end: one item due Thu 24 Sep, not completed → overdue; 25–27 Sep are the
    # Mid-Autumn holidays, so 28, 29, 30 Sep: 3 overdue working days
    assert (before["items_due"], before["overdue_items"], before["overdue_working_days"]) == (1, 1, 3)
    assert after == before


def test_the_earliest_later_extension_gives_the_deadline_at_the_quarters_end(personas):
    unit, leader, cadre = people_of("branch01")
    (item,) = published(unit, leader, cadre, due=at(9, 24, 18))
    item = accept(item)
    extend(item, leader, to=at(9, 29, 18), requested=at(9, 21), approved=at(9, 22))  # within Q3
    extend(item, leader, to=at(10, 20, 18), requested=at(10, 8), approved=at(10, 9))  # after Q3
    extend(item, leader, to=at(11, 20, 18), requested=at(10, 19), approved=at(10, 19, 10))
    q4 = quarterly_assessment(year=2026, quarter=4, now=at(12, 1))
    # at Q3's end the deadline was 29 Sep: due in Q3, overdue 1 working day (30 Sep); Q4 counts
    # it where its deadline now is (20 Nov): due and overdue there too, each quarter as of its end
    row = unit_row(q3(), unit)
    assert (row.counts["items_due"], row.counts["overdue_items"], row.counts["overdue_working_days"]) == (1, 1, 1)
    assert (unit_row(q4, unit).counts["items_due"], unit_row(q4, unit).counts["overdue_items"]) == (1, 1)


# -- a reopened livelihood issue --------------------------------------------------------------


def test_a_reopened_issue_counts_once(personas):
    from tests.issues.issue_fixtures import IssuePeople, issue_in_state

    people = IssuePeople(personas)  # handled by cadre006 in branch 02, dispatched by leader01
    with time_machine.travel(at(8, 3, 10), tick=False):
        issue = issue_in_state(people, "resolved")  # dispatched, accepted and resolved on Mon 3 Aug
    with time_machine.travel(at(8, 4, 10), tick=False):
        issue = issue_services.issue_follow_up(issue=issue, actor=people.dispatcher, satisfaction="unsatisfied")
        issue = issue_services.issue_reopen(issue=issue, actor=people.dispatcher)  # fresh 5 working days: Tue 11 Aug
    with time_machine.travel(at(8, 6, 10), tick=False):
        issue = issue_services.issue_resolve(
            issue=issue, actor=people.handler, result="已重修", resolution="substantive"
        )
    with time_machine.travel(at(8, 7, 10), tick=False):
        issue = issue_services.issue_follow_up(issue=issue, actor=people.dispatcher, satisfaction="satisfied")
    assessment = q3()
    row, handler = unit_row(assessment, people.unit), person_row(assessment, people.handler)
    names = ("issues_due", "issues_resolved", "issues_resolved_on_time", "follow_ups", "follow_ups_satisfied")
    # one order: due once, resolved once (on time against 11 Aug), followed up once, its last call satisfied
    expected = {"issues_due": 1, "issues_resolved": 1, "issues_resolved_on_time": 1, "follow_ups": 1}
    assert (issue.state, {k: row.counts[k] for k in names}) == ("closed", {**expected, "follow_ups_satisfied": 1})
    assert {k: handler.counts[k] for k in names} == {**expected, "follow_ups_satisfied": 1}
    assert (row.rates["issue_resolution_rate"], row.rates["satisfaction_rate"]) == (Decimal("1"), Decimal("1"))
    assert unit_row(assessment, people.unit.parent).counts["follow_ups"] == 1


def test_an_unsatisfied_last_call_leaves_the_order_unsatisfied(personas):
    from tests.issues.issue_fixtures import IssuePeople, issue_in_state

    people = IssuePeople(personas)
    with time_machine.travel(at(8, 3, 10), tick=False):
        satisfied = issue_in_state(people, "resolved")
        unsatisfied = issue_in_state(people, "resolved", title="西山村路面破损")
    with time_machine.travel(at(8, 4, 10), tick=False):
        issue_services.issue_follow_up(issue=satisfied, actor=people.dispatcher, satisfaction="basically_satisfied")
        issue_services.issue_follow_up(issue=unsatisfied, actor=people.dispatcher, satisfaction="unsatisfied")
    row = unit_row(q3(), people.unit)
    # two orders followed up, one (基本满意) satisfied: 1/2
    assert (row.counts["follow_ups"], row.counts["follow_ups_satisfied"], row.rates["satisfaction_rate"]) == (
        2,
        1,
        Decimal("0.5"),
    )


# -- the workbook holds the JSON's numbers ----------------------------------------------------

UNIT_COLUMNS = [
    "rank", "name", "items_due", "on_time_acceptance_rate", "on_time_completion_rate", "overdue_items",
    "overdue_working_days", "yellow_cards", "red_cards", "pledge_fulfilment_rate", "issues_resolved",
    "issue_resolution_rate", "satisfaction_rate", "bonus", "deductions", "score", "veto", "candidate",
    "activities_held", "required_parts_complete", "attendance_rate", "visit_coverage", "frequency_met",
    "findings_accepted",
]  # fmt: skip
PERSON_COLUMNS = [
    "rank", "name", "username", "unit_name", "items_due", "on_time_completion_rate", "overdue_items", "cards",
    "pledges_fulfilled", "base_points", "task_points", "reward_points", "points", "grade_label", "candidate",
    "late_verifications",
]  # fmt: skip


def _flat(entry: dict) -> dict:
    """A JSON row as the workbook's columns: figures inlined, cards added up, flags as text."""
    figures = entry["figures"]
    flat = {
        **entry,
        **figures,
        **entry.get("party_building", {}),
        "cards": figures["yellow_cards"] + figures["red_cards"],
    }
    flat["candidate"] = "是" if entry["candidate"] else None
    if "veto_reasons" in entry:
        flat["veto"] = "、".join(entry["veto_reasons"]) or None
    return flat


def _as_cell(value):
    if value is None or value == "":
        return None
    if isinstance(value, bool | str):
        return value
    return float(value)


def test_the_workbook_holds_the_same_numbers_as_the_json(personas, api_as):
    from reports.models import MemberReward, UnitBonus
    from tests.pledges.pledge_helpers import make_pledge

    b = three_branches()
    card(personas, b["branch03"][3], "yellow_card", when=at(8, 26))
    UnitBonus.objects.create(unit=b["branch02"][0], year=2026, quarter=3, points=3, reason="市级表彰")
    MemberReward.objects.create(member=b["branch01"][2], year=2026, quarter=3, points=7, reason="见义勇为")
    with time_machine.travel(at(8, 3), tick=False):
        make_pledge(personas.cadre, personas.leader, "fulfilled")
        make_pledge(personas.colleague, personas.leader, "approved")
    client = api_as(personas.secretary)
    body = client.get(URL, Q3).json()
    sheets = load_workbook(io.BytesIO(client.get(XLSX_URL, Q3).content)).worksheets
    units = {u["name"]: _flat(u) for u in body["units"]}
    persons = {p["username"]: _flat(p) for p in body["persons"]}
    compared = 0
    for ws, columns, by_key, key_column in (
        (sheets[0], UNIT_COLUMNS, units, 1),
        (sheets[1], UNIT_COLUMNS, units, 1),
        (sheets[2], PERSON_COLUMNS, persons, 2),
    ):
        for line in ws.iter_rows(min_row=2, values_only=True):
            entry = by_key[line[key_column]]
            expected = [_as_cell(entry[column]) for column in columns]
            assert list(line) == expected, (ws.title, line[key_column])
            compared += len(line)
    # every unit and every cadre appeared once, and the figures above are not all zero
    assert compared == len(UNIT_COLUMNS) * len(units) + len(PERSON_COLUMNS) * len(persons)
    branch02 = units[b["branch02"][0].name]
    # 02: 100 + 3 bonus, capped at 100; 01 (the pledge branch): completion 1/1, acceptance 1/1,
    # pledges 1/2 → 100 × (20 + 60 + 20 × 0.5) / 100 = 90
    assert (branch02["score"], units[b["branch01"][0].name]["score"]) == (100.0, 90.0)


# -- a leader's view --------------------------------------------------------------------------


def test_a_leaders_dashboard_holds_nothing_of_units_they_do_not_lead(personas, client, time_machine):
    b = three_branches()
    other, other_leader, other_cadre = people_of("branch04")
    (open_item,) = published(other, other_leader, other_cadre, due=at(9, 10, 18))  # never done: overdue
    card(personas, b["branch03"][3], "yellow_card", when=at(8, 26))
    time_machine.move_to(at(9, 30), tick=False)
    client.force_login(personas.secretary)
    township = client.get("/reports/", Q3).context
    # the township sees what the leader must not: branch 04's overdue item, branch 03's card
    assert open_item in township["top_overdue"] and {w["unit"] for w in township["warnings"]} == {other.name}
    assert [s["unit"] for s in township["supervision"]] == [b["branch03"][0].name]
    client.force_login(b["branch01"][1])  # leader01 leads branch 01 only
    context = client.get("/reports/", Q3).context
    own = b["branch01"][0].name
    assert {r.unit.name for r in context["units"]} | {r.unit.name for r in context["rollups"]} == {own}
    assert {p.unit.name for p in context["persons"]} == {own}
    assert {w["unit"] for w in context["warnings"]} <= {own} and open_item not in context["top_overdue"]
    # the trend counts branch 01's one item (due in August, on time), not 02's or 03's
    assert [(t["due"], t["on_time"]) for t in context["trend"] if t["month"] == "2026-08"] == [(1, 1)]
    assert context["supervision"] == []
    workbook = load_workbook(io.BytesIO(client.get("/reports/dashboard.xlsx", Q3).content))
    cells = {c for ws in workbook.worksheets for row in ws.iter_rows(min_row=2, values_only=True) for c in row}
    assert not cells & {other.name, b["branch02"][0].name, b["branch03"][0].name, open_item.title}
