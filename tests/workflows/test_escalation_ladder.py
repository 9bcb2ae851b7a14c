"""The escalation ladder (DESIGN.md "Deadlines and escalation"): level 1 after 3 overdue working
days to the district's commissioners with a case, level 2 after 6 to the township discipline
committee which takes the case over, level 3 after 10 to the secretary with the case marked for
the committee meeting; data per policy. And the leader's verification clock."""

import datetime as dt
import importlib

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django_fsm import has_transition_perm

from lists import services
from lists.models import ItemVerification
from organization.models import Jurisdiction, Unit
from supervision.models import SupervisionCase
from tests.workflows.conftest import at
from workflows.engine import history
from workflows.models import DeadlinePolicy, EscalationEvent
from workflows.policies import policy_for
from workflows.sweep import sweep_deadlines

ASSIGNED = at(2026, 11, 30, 9)
DUE = at(2026, 12, 11, 17)  # a Friday
LEVEL1 = at(2026, 12, 16, 17)  # 3 working days overdue
LEVEL2 = at(2026, 12, 21, 17)  # 6
LEVEL3 = at(2026, 12, 25, 17)  # 10


def sweep(when):
    with time_machine.travel(when, tick=False):
        return sweep_deadlines(as_of=when)


def escalations(events_seen, level):
    return [e for e in events_seen if e.name == "sweep.escalated" and e.key == f"escalation:{level}"]


@pytest.fixture
def overdue(make_item, personas):
    item = make_item(assigned_at=ASSIGNED, due_at=DUE)
    with time_machine.travel(at(2026, 12, 1, 8), tick=False):
        services.item_accept(item=item, actor=personas.cadre)
    return item


def case_of(item) -> SupervisionCase:
    return SupervisionCase.objects.get(content_type=ContentType.objects.get_for_model(item), object_id=item.pk)


def test_level_one_tells_the_districts_commissioners_and_opens_a_case_the_district_owns(overdue, personas, events_seen):
    sweep(at(2026, 12, 15, 17))
    assert not escalations(events_seen, 1)
    sweep(LEVEL1)
    (event,) = escalations(events_seen, 1)
    assert list(event.recipients) == [personas.commissioner.pk]
    case = case_of(overdue)
    assert case.responsible == Jurisdiction.objects.get(unit__code="district1")
    assert not case.for_committee_meeting


def test_level_two_hands_the_case_to_the_township_discipline_committee(overdue, personas, events_seen):
    sweep(LEVEL1)
    sweep(at(2026, 12, 18, 17))  # 5 working days: still level 1
    overdue.refresh_from_db()
    assert overdue.escalation_level == 1
    sweep(LEVEL2)
    overdue.refresh_from_db()
    assert overdue.escalation_level == 2
    (event,) = escalations(events_seen, 2)
    assert list(event.recipients) == [personas.township_commissioner.pk]
    case = case_of(overdue)
    township_committee = Jurisdiction.objects.get(unit__code="township")
    assert case.responsible == township_committee
    taken = [row for row in history(case) if row.transition == "take_over"]
    assert len(taken) == 1 and taken[0].actor_id is None
    assert taken[0].payload["to"] == township_committee.pk


def test_a_case_the_township_took_over_is_no_longer_the_districts_to_act_on(overdue, personas, api_as):
    sweep(LEVEL2)
    case = case_of(overdue)
    assert not has_transition_perm(case.act, personas.commissioner)
    assert has_transition_perm(case.act, personas.township_commissioner)
    url = f"/api/v1/supervision-cases/{case.pk}/transitions/act/"
    body = {"action": "reminder", "note": "请说明"}
    assert api_as(personas.commissioner).post(url, body, format="json").status_code == 403
    assert api_as(personas.township_commissioner).post(url, body, format="json").status_code == 200


def test_level_three_tells_the_secretary_and_marks_the_case_for_the_committee_meeting(
    overdue, personas, events_seen, api_as
):
    sweep(LEVEL1)
    sweep(at(2026, 12, 24, 17))  # 9 working days
    assert not escalations(events_seen, 3)
    sweep(LEVEL3)
    (event,) = escalations(events_seen, 3)
    assert list(event.recipients) == [personas.secretary.pk]
    case = case_of(overdue)
    assert case.for_committee_meeting and case.marked_for_meeting_at == LEVEL3
    answer = api_as(personas.township_commissioner).get(f"/api/v1/supervision-cases/{case.pk}/").json()
    assert answer["for_committee_meeting"] is True
    assert answer["responsible"]["name"] == "青山镇纪委"
    with time_machine.travel(LEVEL3, tick=False):
        (row,) = api_as(personas.commissioner).get("/api/v1/supervision/overdue/").json()["results"]
    assert row["for_committee_meeting"] is True


def test_the_case_page_and_the_queue_show_the_committee_meeting_mark(overdue, personas, client):
    sweep(LEVEL3)
    case = case_of(overdue)
    client.force_login(personas.township_commissioner)
    page = client.get(reverse("supervision:case-detail", args=[case.pk])).content.decode()
    assert 'data-testid="case-for-meeting"' in page and "青山镇纪委" in page
    with time_machine.travel(LEVEL3, tick=False):
        client.force_login(personas.commissioner)
        queue = client.get(reverse("supervision:queue")).content.decode()
    assert 'data-testid="queue-for-meeting"' in queue


def test_a_sweep_that_jumps_three_levels_at_once_climbs_every_rung(overdue, personas, events_seen):
    sweep(LEVEL3)
    assert [sorted(e.recipients) for level in (1, 2, 3) for e in escalations(events_seen, level)] == [
        [personas.commissioner.pk],
        [personas.township_commissioner.pk],
        [personas.secretary.pk],
    ]
    case = case_of(overdue)
    assert [row.transition for row in history(case)] == ["open", "take_over", "mark_for_meeting"]


def test_a_case_closed_before_level_two_opens_again_with_the_township_committee(overdue, personas):
    from supervision.services import case_close

    sweep(LEVEL1)
    case_close(case=case_of(overdue), actor=personas.commissioner, conclusion="已督促")
    sweep(LEVEL2)
    reopened = SupervisionCase.objects.get(object_id=overdue.pk, state="open")
    assert reopened.responsible.unit.code == "township" and reopened.escalation_level == 2


def test_baishui_has_no_district_commissioners_so_its_township_committee_hears_first(make_item, personas, events_seen):
    item = make_item(
        assigned_at=ASSIGNED, due_at=DUE, unit=personas.b_branch, assignee=personas.b_cadre, leader=personas.b_leader
    )
    sweep(LEVEL3)
    recipients = [list(escalations(events_seen, level)[0].recipients) for level in (1, 2, 3)]
    assert recipients == [[personas.b_commissioner.pk], [personas.b_commissioner.pk], [personas.b_secretary.pk]]
    case = case_of(item)
    assert case.responsible.unit.code == "bs-township" and case.for_committee_meeting
    assert personas.commissioner.pk not in {pk for level in recipients for pk in level}


def test_the_ladder_is_data_per_category(make_item, personas, events_seen):
    from lists.models import TaskCategory

    safety, _ = TaskCategory.objects.get_or_create(code="safety", defaults={"name": "安全生产"})
    DeadlinePolicy.objects.create(
        kind="item",
        category_code="safety",
        escalate_after_overdue_working_days=1,
        level1_audience="township_committee",
        level1_action="notify",
        level2_after_overdue_working_days=2,
        level2_audience="secretary",
        level2_action="open_case",
        level3_after_overdue_working_days=20,
    )
    item = make_item(assigned_at=ASSIGNED, due_at=DUE, title="安全检查")
    item.category = safety
    item.save(update_fields=["category"])
    sweep(at(2026, 12, 14, 17))  # one working day overdue: told, no case
    assert list(escalations(events_seen, 1)[0].recipients) == [personas.township_commissioner.pk]
    assert not SupervisionCase.objects.filter(object_id=item.pk).exists()
    sweep(at(2026, 12, 15, 17))
    assert list(escalations(events_seen, 2)[0].recipients) == [personas.secretary.pk]
    assert case_of(item).responsible.unit.code == "district1"
    sweep(LEVEL3)
    assert not escalations(events_seen, 3)


def test_a_townships_own_policy_applies_to_its_units_only(make_item, personas, events_seen):
    DeadlinePolicy.objects.create(
        kind="item",
        township=Unit.objects.get(code="bs-township"),
        escalate_after_overdue_working_days=1,
        level2_after_overdue_working_days=30,
        level3_after_overdue_working_days=40,
    )
    ours = make_item(assigned_at=ASSIGNED, due_at=DUE)
    theirs = make_item(
        assigned_at=ASSIGNED, due_at=DUE, unit=personas.b_branch, assignee=personas.b_cadre, leader=personas.b_leader
    )
    sweep(at(2026, 12, 14, 17))
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.escalation_level, theirs.escalation_level) == (0, 1)
    assert policy_for("item", unit=personas.b_branch).escalate_after_overdue_working_days == 1
    assert policy_for("item", unit=personas.branch).escalate_after_overdue_working_days == 3


def test_national_day_and_its_adjusted_saturday_count_as_the_calendar_says(make_item, personas):
    # 2026: 1–7 October off; Saturday 10 October is a working day (调休).
    item = make_item(assigned_at=at(2026, 9, 21, 9), due_at=at(2026, 9, 30, 17))
    sweep(at(2026, 10, 8, 17))  # one working day overdue (Thursday)
    sweep(at(2026, 10, 9, 17))  # two
    item.refresh_from_db()
    assert (item.warning_level, item.escalation_level) == ("red", 0)
    sweep(at(2026, 10, 10, 17))  # the adjusted Saturday: three
    item.refresh_from_db()
    assert item.escalation_level == 1


def test_the_ladder_must_climb(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        DeadlinePolicy.objects.create(kind="item", category_code="x", level2_after_overdue_working_days=3)


def test_existing_policies_move_to_the_default_ladder(db):
    from django.apps import apps

    migration = importlib.import_module("workflows.migrations.0010_escalation_ladder")
    DeadlinePolicy.objects.create(kind="pledge", category_code="old", escalate_after_overdue_working_days=2)
    DeadlinePolicy.objects.filter(category_code="old").update(
        level2_after_overdue_working_days=99, level3_after_overdue_working_days=100
    )
    migration.to_default_ladder(apps, None)
    row = DeadlinePolicy.objects.get(category_code="old")
    assert (row.escalate_after_overdue_working_days, row.ladder_days(2), row.ladder_days(3)) == (2, 5, 9)
    normal = DeadlinePolicy.objects.get(kind="item", category_code="", urgent=False, township=None)
    assert [normal.ladder_days(level) for level in (1, 2, 3)] == [3, 6, 10]
    assert (normal.level1_action, normal.level2_action, normal.level3_action) == (
        "open_case",
        "take_over",
        "mark_for_meeting",
    )


# -- the cadre's clock stops at submission; the leader's verification clock --------------------


@pytest.fixture
def submitted_on_time(overdue, personas):
    with time_machine.travel(at(2026, 12, 10, 10), tick=False):  # Thursday, before the deadline
        services.item_report_progress(item=overdue, actor=personas.cadre, text="完成", percent=100)
        services.item_submit(item=overdue, actor=personas.cadre, result="已完成")
    overdue.refresh_from_db()
    return overdue


def test_an_item_submitted_on_time_is_never_escalated_while_it_waits(submitted_on_time):
    sweep(LEVEL3)
    submitted_on_time.refresh_from_db()
    assert submitted_on_time.escalation_level == 0
    assert not EscalationEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(submitted_on_time), object_id=submitted_on_time.pk
    ).exists()


def test_the_verification_clock_is_two_working_days_from_submission(submitted_on_time):
    assert submitted_on_time.verification_due_at == at(2026, 12, 14, 10)  # Thursday → Monday


def test_a_late_verification_warns_then_escalates_the_lead_leader(submitted_on_time, personas, events_seen):
    sweep(at(2026, 12, 14, 9))
    assert not [e for e in events_seen if e.name == "sweep.warning"]
    sweep(at(2026, 12, 14, 11))
    (warning,) = [e for e in events_seen if e.name == "sweep.warning"]
    assert list(warning.recipients) == [personas.leader.pk] and warning.key == "warning:red"
    sweep(at(2026, 12, 17, 11))  # 3 working days past the verification deadline
    item = ItemVerification.objects.get(pk=submitted_on_time.pk)
    assert (item.verification_warning_level, item.verification_escalation_level, item.escalation_level) == (
        "red",
        1,
        0,
    )
    (event,) = escalations(events_seen, 1)
    assert list(event.recipients) == [personas.commissioner.pk]
    case = SupervisionCase.objects.get(object_id=item.pk)
    assert case.subject_type == "verification"
    opened = [e for e in events_seen if e.name == "case.opened"]
    assert list(opened[0].recipients) == [personas.leader.pk]


def test_verifying_stops_the_verification_clock(submitted_on_time, personas):
    with time_machine.travel(at(2026, 12, 15, 9), tick=False):
        services.item_verify(item=submitted_on_time, actor=personas.leader)
    sweep(LEVEL3)
    item = ItemVerification.objects.get(pk=submitted_on_time.pk)
    assert item.verification_escalation_level == 0 and item.verification_decided_at == at(2026, 12, 15, 9)
    assert item.on_time is True


def test_a_suspended_item_stops_both_clocks(overdue, personas):
    with time_machine.travel(at(2026, 12, 10, 10), tick=False):
        services.item_suspend(item=overdue, actor=personas.leader, reason="暂缓")
    sweep(LEVEL3)
    overdue.refresh_from_db()
    assert (overdue.warning_level, overdue.escalation_level, overdue.verification_escalation_level) == ("green", 0, 0)


def test_a_policy_sets_the_leaders_verification_time(overdue, personas):
    DeadlinePolicy.objects.filter(kind="item", category_code="", urgent=False, township=None).update(
        verify_within_working_days=5
    )
    with time_machine.travel(at(2026, 12, 10, 10), tick=False):
        services.item_report_progress(item=overdue, actor=personas.cadre, text="完成", percent=100)
        services.item_submit(item=overdue, actor=personas.cadre, result="已完成")
    overdue.refresh_from_db()
    assert overdue.verification_due_at == at(2026, 12, 17, 10)
    assert dt.timedelta(0) < overdue.verification_due_at - overdue.submitted_at


# -- the quarterly assessment counts the leaders' late verifications ---------------------------


def test_the_assessment_counts_each_leaders_late_verifications(make_item, personas, api_as):
    from reports.selectors import quarterly_assessment

    late = make_item(assigned_at=ASSIGNED, due_at=DUE, title="迟审")
    prompt = make_item(assigned_at=ASSIGNED, due_at=DUE, title="及时审")
    other = make_item(
        assigned_at=ASSIGNED, due_at=DUE, unit=personas.b_branch, assignee=personas.b_cadre, leader=personas.b_leader
    )
    for item, cadre in ((late, personas.cadre), (prompt, personas.cadre), (other, personas.b_cadre)):
        with time_machine.travel(at(2026, 12, 1, 9), tick=False):
            services.item_accept(item=item, actor=cadre)
            services.item_report_progress(item=item, actor=cadre, text="完成", percent=100)
            services.item_submit(item=item, actor=cadre, result="已完成")  # verify by Thursday 3rd
    with time_machine.travel(at(2026, 12, 2, 9), tick=False):
        services.item_verify(item=prompt, actor=personas.leader)
    with time_machine.travel(at(2026, 12, 8, 9), tick=False):
        services.item_verify(item=late, actor=personas.leader)
    assessment = quarterly_assessment(year=2026, quarter=4, now=at(2026, 12, 20, 9))
    by_user = {row.user_id: row for row in assessment.persons}
    assert by_user[personas.leader.pk].counts["late_verifications"] == 1
    assert by_user[personas.b_leader.pk].counts["late_verifications"] == 1  # never verified
    assert by_user[personas.cadre.pk].counts["late_verifications"] == 0
    branch = next(row for row in assessment.units if row.unit.pk == personas.branch.pk)
    assert branch.counts["late_verifications"] == 1
    # before the deadline passed nothing was late
    early = quarterly_assessment(year=2026, quarter=4, now=at(2026, 12, 3, 8))
    assert all(row.counts["late_verifications"] == 0 for row in early.persons)


def test_the_excel_export_has_the_late_verifications_column(make_item, personas, api_as):
    import io

    from openpyxl import load_workbook

    item = make_item(assigned_at=ASSIGNED, due_at=DUE, title="迟审")
    with time_machine.travel(at(2026, 12, 1, 9), tick=False):
        services.item_accept(item=item, actor=personas.cadre)
        services.item_report_progress(item=item, actor=personas.cadre, text="完成", percent=100)
        services.item_submit(item=item, actor=personas.cadre, result="已完成")
    with time_machine.travel(at(2026, 12, 20, 9), tick=False):
        answer = api_as(personas.secretary).get("/api/v1/reports/quarterly.xlsx", {"year": 2026, "quarter": 4})
        body = api_as(personas.secretary).get("/api/v1/reports/quarterly/", {"year": 2026, "quarter": 4}).json()
    sheet = load_workbook(io.BytesIO(answer.content)).worksheets[2]
    header = [cell.value for cell in sheet[1]]
    column = header.index("审核超时")
    lines = {line[2]: line[column] for line in sheet.iter_rows(min_row=2, values_only=True)}
    assert lines["leader01"] == 1
    leader = next(p for p in body["persons"] if p["id"] == personas.leader.pk)
    assert leader["figures"]["late_verifications"] == 1


def test_the_verification_queue_shows_the_leaders_deadline(submitted_on_time, personas, client, api_as):
    sweep(at(2026, 12, 17, 11))
    with time_machine.travel(at(2026, 12, 17, 11), tick=False):
        client.force_login(personas.commissioner)
        page = client.get(reverse("supervision:queue"), {"subject_type": "verification"}).content.decode()
        (row,) = (
            api_as(personas.commissioner)
            .get("/api/v1/supervision/overdue/", {"subject_type": "verification"})
            .json()["results"]
        )
    assert "2026-12-14 10:00" in page
    assert (row["subject_type"], row["escalation_level"], row["days_overdue"]) == ("verification", 1, 3)
    assert row["lead_leader"]["id"] == personas.leader.pk
