"""The sweep in batches: set-based steps that leave the rows the single-object path leaves, a run
cut between batches that a second run completes, one run at a time, users' transitions never lost."""

import datetime as dt
import logging
import threading

import pytest
import time_machine
from django.db import connection, connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lists import services
from lists.models import ResponsibilityItem
from notifications.models import OutboxMessage
from supervision.models import SupervisionCase
from tests.workflows.conftest import at
from workflows.audit import verify_chains
from workflows.models import CalendarOverride, DeadlinePolicy, EscalationEvent, TransitionLog
from workflows.sweep import SweepProgress, sweep_deadlines

ASSIGNED = at(2026, 11, 30, 9)


class Killed(Exception):
    """Stands for the process dying between two batches."""


class Undo(Exception):
    """Rolls a savepoint back on purpose."""


def _case_urls() -> dict[str, str]:
    from django.urls import reverse

    return {
        reverse("supervision:case-detail", args=[pk]): f"<case of {object_id}>"
        for pk, object_id in SupervisionCase.objects.values_list("pk", "object_id")
    }


def _plain(value, urls):
    for url, name in urls.items():
        value = str(value).replace(url, name)
    return value


def snapshot() -> dict:
    """Everything a sweep writes, without the ids the database hands out (the same run twice
    gets other case ids): cases are named by their subject."""
    from django.contrib.contenttypes.models import ContentType

    case_type = ContentType.objects.get_for_model(SupervisionCase)
    subject_of_case = dict(SupervisionCase.objects.values_list("pk", "object_id"))
    urls = _case_urls()
    outbox = sorted(
        (
            row["event"],
            row["event_key"],
            ("case", subject_of_case[row["subject_id"]])
            if row["subject_type_id"] == case_type.pk
            else (row["subject_type_id"], row["subject_id"]),
            row["recipient_id"],
            row["channel"],
            row["unit_id"],
            row["title"],
            _plain(row["text"], urls),
            _plain(row["link"], urls),
            row["urgent"],
            row["next_attempt_at"],
            row["state"],
        )
        for row in OutboxMessage.objects.values()
    )
    case_logs = sorted(
        (
            subject_of_case[row.object_id],
            row.seq,
            row.transition,
            row.source,
            row.target,
            row.actor_id,
            row.comment,
            row.at,
            row.payload,
        )
        for row in TransitionLog.objects.filter(content_type=case_type)
    )
    return {
        "items": sorted(
            ResponsibilityItem.objects.values_list(
                "pk", "warning_level", "escalation_level", "verification_warning_level", "verification_escalation_level"
            )
        ),
        "steps": sorted(
            EscalationEvent.objects.values_list("content_type_id", "object_id", "level", "due_at", "as_of")
        ),
        "cases": sorted(
            SupervisionCase.objects.values_list(
                "object_id",
                "subject_type",
                "subject_title",
                "unit_id",
                "state",
                "source",
                "escalation_level",
                "reason",
                "responsible_id",
                "for_committee_meeting",
                "marked_for_meeting_at",
            )
        ),
        "case_logs": case_logs,
        "outbox": outbox,
        "chains": verify_chains(),
    }


def sweep_and_look(when, **options) -> dict:
    """Sweep as of ``when`` (the clock standing there), look, and undo it all."""
    try:
        with transaction.atomic():
            with time_machine.travel(when, tick=False):
                sweep_deadlines(as_of=when, **options)
            seen = snapshot()
            raise Undo
    except Undo:
        return seen


@pytest.fixture
def pool(make_item, personas):
    """Items of two units of 青山镇 and one of 白水镇 (a township policy of its own) in each open state,
    some urgent, one with an extension request, one submitted and waiting on its leader."""
    made = []
    for n, (days, urgent) in enumerate([(5, False), (8, False), (9, True), (12, False), (14, False), (20, True)]):
        due = ASSIGNED + dt.timedelta(days=days)
        made.append(make_item(assigned_at=ASSIGNED, due_at=due, urgent=urgent, title=f"事项{n}"))
        made.append(
            make_item(
                assigned_at=ASSIGNED,
                due_at=due,
                urgent=urgent,
                title=f"他项{n}",
                unit=personas.other_branch,
                assignee=personas.other_cadre,
                leader=personas.other_leader,
            )
        )
    for n, days in enumerate((4, 9)):
        made.append(
            make_item(
                assigned_at=ASSIGNED,
                due_at=ASSIGNED + dt.timedelta(days=days),
                title=f"白水{n}",
                unit=personas.b_branch,
                assignee=personas.b_cadre,
                leader=personas.b_leader,
            )
        )
    DeadlinePolicy.objects.create(
        kind="item",
        township=personas.unit("bs-township"),
        escalate_after_overdue_working_days=1,
        level2_after_overdue_working_days=2,
        level3_after_overdue_working_days=4,
        level2_audience="secretary",
    )
    with time_machine.travel(at(2026, 12, 1, 8), tick=False):
        for item in made[2:8]:
            cadre = personas.cadre if item.assignee_id == personas.cadre.pk else personas.other_cadre
            services.item_accept(item=item, actor=cadre)
        services.item_report_progress(item=made[4], actor=personas.cadre, text="已开始", percent=10)
        services.item_report_progress(item=made[2], actor=personas.cadre, text="已开始", percent=90)
        services.item_submit(item=made[2], actor=personas.cadre, result="已完成")
        services.extension_request(item=made[6], actor=personas.cadre, new_due_at=at(2026, 12, 31, 17), reason="等材料")
        services.item_suspend(item=made[7], actor=personas.other_leader, reason="暂缓")
    return made


def test_small_batches_leave_the_rows_of_one_big_batch(pool):
    when = at(2026, 12, 24, 17)
    small = sweep_and_look(when, batch_size=3)
    assert small["cases"] and small["case_logs"] and small["outbox"] and small["chains"] == []
    assert {"item", "verification"} <= {case[1] for case in small["cases"]}
    assert {"open", "take_over", "mark_for_meeting"} <= {log[2] for log in small["case_logs"]}
    assert small == sweep_and_look(when, batch_size=10_000)


def test_a_sweep_killed_between_batches_and_run_again_leaves_the_rows_of_one_run(pool):
    when = at(2026, 12, 24, 17)
    whole = sweep_and_look(when, batch_size=3)

    def die_after_the_second_batch(progress: SweepProgress):
        if progress.batch == 2:
            raise Killed

    try:
        with transaction.atomic():
            with time_machine.travel(when, tick=False), pytest.raises(Killed):
                sweep_deadlines(as_of=when, batch_size=3, progress=die_after_the_second_batch)
            assert 0 < ResponsibilityItem.objects.exclude(warning_level="green").count()
            with time_machine.travel(when, tick=False):
                report = sweep_deadlines(as_of=when, batch_size=3)
            assert report.changes  # the second run did what the first left
            again = snapshot()
            raise Undo
    except Undo:
        pass
    assert again == whole


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    days=st.integers(min_value=0, max_value=40),
    hour=st.sampled_from([8, 17]),
    escalate_after=st.integers(min_value=0, max_value=4),
    step=st.integers(min_value=1, max_value=3),
    percent=st.sampled_from([0, 50, 70, 100]),
    red_after=st.integers(min_value=0, max_value=2),
    saturday_worked=st.booleans(),
    level2_action=st.sampled_from(["take_over", "open_case", "mark_for_meeting", "notify"]),
    level3_audience=st.sampled_from(["secretary", "district_commissioners", "township_committee"]),
)
def test_set_based_and_single_object_paths_leave_the_same_rows(
    pool,
    personas,
    days,
    hour,
    escalate_after,
    step,
    percent,
    red_after,
    saturday_worked,
    level2_action,
    level3_audience,
):
    try:
        with transaction.atomic():
            DeadlinePolicy.objects.update_or_create(
                kind="item",
                category_code="",
                urgent=False,
                township=None,
                defaults={
                    "escalate_after_overdue_working_days": escalate_after,
                    "level2_after_overdue_working_days": escalate_after + step,
                    "level3_after_overdue_working_days": escalate_after + 2 * step,
                    "level2_action": level2_action,
                    "level3_audience": level3_audience,
                    "blue_at_percent_time_used": percent,
                    "red_after_due_working_days": red_after,
                },
            )
            if saturday_worked:
                CalendarOverride.objects.create(date=dt.date(2026, 12, 12), unit=personas.branch, is_working_day=True)
            when = at(2026, 12, 1, hour) + dt.timedelta(days=days)
            # Half-way first: the later sweep starts from colours and levels already raised.
            halfway = at(2026, 12, 1, hour) + dt.timedelta(days=days // 2)
            with time_machine.travel(halfway, tick=False):
                sweep_deadlines(as_of=halfway, set_based=False)
            assert sweep_and_look(when, batch_size=4) == sweep_and_look(when, set_based=False)
            raise Undo
    except Undo:
        pass


# -- one run at a time; users never lose a transition ------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_second_sweep_while_one_runs_skips_and_says_so(make_item):
    for n in range(4):
        make_item(assigned_at=ASSIGNED, due_at=at(2026, 12, 11, 17), title=f"事项{n}")
    when = at(2026, 12, 24, 17)
    second = []

    def start_another(progress: SweepProgress):
        if progress.batch != 1:
            return

        def run():
            try:
                second.append(sweep_deadlines(as_of=when))
            finally:
                connections.close_all()

        thread = threading.Thread(target=run)
        thread.start()
        thread.join()

    # The sweep's own logger, listened to directly and switched on: tests earlier in the run may
    # have reconfigured the root logger caplog listens on, or disabled logging altogether.
    records: list[logging.LogRecord] = []
    listener = logging.Handler(logging.WARNING)
    listener.emit = records.append
    sweep_logger = logging.getLogger("workflows.sweep")
    sweep_logger.addHandler(listener)
    was_disabled, sweep_logger.disabled = sweep_logger.disabled, False
    was_level, globally_disabled = sweep_logger.level, logging.root.manager.disable
    sweep_logger.setLevel(logging.WARNING)
    logging.disable(logging.NOTSET)
    try:
        with time_machine.travel(when, tick=False):
            first = sweep_deadlines(as_of=when, batch_size=2, progress=start_another)
    finally:
        sweep_logger.removeHandler(listener)
        sweep_logger.disabled = was_disabled
        sweep_logger.setLevel(was_level)
        logging.disable(globally_disabled)
    assert not first.skipped and len(first.changes) == 4 and first.batches == 2
    (other,) = second
    assert other.skipped and other.changes == []
    assert any("skipped: another sweep is running" in record.getMessage() for record in records)
    # The lock goes with the run: the next one runs (and finds nothing left).
    assert not sweep_deadlines(as_of=when).skipped


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_transition_racing_a_batch_waits_for_it_and_is_not_lost(make_item, personas):
    """The cadre accepts an item while the sweep's batch holds its row: the request waits for
    the batch to commit, then succeeds (or would get 409); the acceptance and the sweep's colour
    both stay."""
    from tests.conftest import require_service
    from tests.lists.test_concurrency import post_as, wait_until_a_query_waits_for_a_lock
    from workflows import events

    if connection.vendor != "postgresql":
        require_service("PostgreSQL (DATABASE_URL)")
    item = make_item(assigned_at=ASSIGNED, due_at=at(2026, 12, 11, 17))
    results, threads = [], []

    def race(event):
        if event.name != "sweep.warning" or threads:
            return
        thread = threading.Thread(
            target=post_as, args=(personas.cadre, f"/api/v1/items/{item.pk}/transitions/accept/", {}, results)
        )
        threads.append(thread)
        thread.start()
        wait_until_a_query_waits_for_a_lock()

    events.subscribe(race)
    try:
        when = at(2026, 12, 3, 9)
        sweep_deadlines(as_of=when)
    finally:
        events.unsubscribe(race)
    threads[0].join(timeout=30)
    [(_, _, status)] = results
    assert status in (200, 409)
    item.refresh_from_db()
    assert item.warning_level == "yellow"
    if status == 200:
        assert item.state == "accepted"
        assert TransitionLog.objects.for_object(item).filter(transition="accept").count() == 1
    assert verify_chains() == []


def test_a_batch_costs_the_same_queries_for_few_objects_and_for_many(make_item):
    """Set-based: every step of a batch is a fixed number of statements, whatever its size."""
    from django.test.utils import CaptureQueriesContext

    when = at(2026, 12, 24, 17)

    def queries_for(count: int) -> int:
        for n in range(count):
            make_item(assigned_at=ASSIGNED, due_at=at(2026, 12, 11, 17), title=f"事项{count}-{n}")
        with time_machine.travel(when, tick=False), CaptureQueriesContext(connection) as ctx:
            report = sweep_deadlines(as_of=when)
        assert len(report.changes) == count and report.escalations == 2 * count
        return len(ctx.captured_queries)

    queries_for(1)  # the first sweep of the process also fills the content-type cache
    assert queries_for(2) == queries_for(12)
