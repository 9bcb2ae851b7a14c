import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from issues import services
from issues.models import LivelihoodIssue, add_working_time, can_dispatch
from lists.models import ExtensionRequest
from workflows import events
from workflows.engine import TransitionConflict, TransitionError, TransitionForbidden
from workflows.models import TransitionLog

from .issue_fixtures import issue_in_state, people_fixture, register  # noqa: F401

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def captured():
    seen = []
    events.subscribe(seen.append)
    yield seen
    events.unsubscribe(seen.append)


def test_dispatchers_are_township_and_office_leaders(people, personas):
    assert [can_dispatch(u) for u in (personas.secretary, personas.leader, personas.other_leader, people.handler)] == [
        True,
        True,
        False,
        False,
    ]


def test_registration_tells_the_dispatchers(people, captured):
    register(people)
    event = next(e for e in captured if e.name == "issue.reported")
    assert people.dispatcher.pk in event.recipients and people.p.secretary.pk in event.recipients


def test_dispatch_tells_the_handler(people, captured):
    issue_in_state(people, "dispatched")
    event = next(e for e in captured if e.name == "issue.dispatched")
    assert event.recipients == (people.handler.pk,) and {"title", "unit", "due_at", "url"} <= set(event.context)


def test_reject_tells_the_dispatchers_with_the_reason(people, captured):
    issue = issue_in_state(people, "dispatched")
    services.issue_reject(issue=issue, actor=people.handler, reason="应由供电所处理")
    event = next(e for e in captured if e.name == "issue.rejected")
    assert people.dispatcher.pk in event.recipients and event.context["reason"] == "应由供电所处理"


def test_resolution_tells_the_dispatchers_for_the_follow_up(people, captured):
    issue_in_state(people, "resolved")
    assert people.dispatcher.pk in next(e for e in captured if e.name == "issue.resolved").recipients


def test_reopen_tells_the_handler(people, captured):
    issue = issue_in_state(people, "resolved")
    services.issue_reopen(issue=issue, actor=people.dispatcher)
    assert next(e for e in captured if e.name == "issue.reopened").recipients == (people.handler.pk,)


def test_dispatch_on_monday_sets_working_day_deadlines(people, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI))  # Monday
    issue = issue_in_state(people, "dispatched")
    assert timezone.localtime(issue.accept_due_at).date() == dt.date(2026, 12, 8)
    assert timezone.localtime(issue.due_at).date() == dt.date(2026, 12, 14)
    assert timezone.localtime(issue.reject_due_at).date() == dt.date(2026, 12, 9)
    assert issue.original_due_at == issue.due_at


def test_friday_deadline_skips_the_weekend(people, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 11, 10, 0, tzinfo=SHANGHAI))  # Friday
    issue = issue_in_state(people, "dispatched")
    assert timezone.localtime(issue.accept_due_at).date() == dt.date(2026, 12, 14)


def test_urgent_order_must_be_accepted_within_two_working_hours(people, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI), tick=False)
    issue = issue_in_state(people, "dispatched", urgency="urgent")
    assert issue.accept_due_at == dt.datetime(2026, 12, 7, 12, 0, tzinfo=SHANGHAI)
    assert timezone.localtime(issue.due_at).date() == dt.date(2026, 12, 8)


def test_working_hours_skip_the_weekend(db):
    start = dt.datetime(2026, 12, 12, 10, 0, tzinfo=SHANGHAI)  # Saturday
    assert add_working_time(start, hours=2) == dt.datetime(2026, 12, 14, 2, 0, tzinfo=SHANGHAI)


def test_staged_resolution_without_plan_is_refused_by_the_service(people):
    issue = issue_in_state(people, "in_progress")
    with pytest.raises(ValueError):
        services.issue_resolve(issue=issue, actor=people.handler, result="部分", resolution="staged")


def test_resolution_after_the_deadline_is_late(people, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI), tick=False)
    issue = issue_in_state(people, "in_progress")
    time_machine.move_to(dt.datetime(2026, 12, 21, 10, 0, tzinfo=SHANGHAI))
    issue = services.issue_resolve(issue=issue, actor=people.handler, result="修好", resolution="substantive")
    assert issue.on_time is False


def test_handler_cannot_follow_up_own_order(people):
    issue = issue_in_state(people, "resolved")
    with pytest.raises(TransitionForbidden):
        services.issue_follow_up(issue=issue, actor=people.handler, satisfaction="satisfied")


def test_follow_up_call_is_recorded(people):
    issue = issue_in_state(people, "resolved")
    services.issue_follow_up(issue=issue, actor=people.dispatcher, satisfaction="unsatisfied", note="仍有一盏不亮")
    assert list(issue.follow_ups.values_list("satisfaction", "note")) == [("unsatisfied", "仍有一盏不亮")]


def test_extension_moves_the_deadline_and_keeps_the_original(people):
    issue = issue_in_state(people, "accepted")
    original = issue.due_at
    extension = services.issue_extension_request(
        issue=issue, actor=people.handler, new_due_at=original + dt.timedelta(days=3), reason="等材料"
    )
    services.issue_extension_approve(extension=extension, actor=people.dispatcher)
    issue.refresh_from_db()
    assert (issue.due_at, issue.original_due_at) == (original + dt.timedelta(days=3), original)
    assert extension.subject == issue


def test_extension_beyond_ten_working_days_is_refused(people):
    issue = issue_in_state(people, "accepted")
    with pytest.raises(ValueError):
        services.issue_extension_request(
            issue=issue, actor=people.handler, new_due_at=issue.due_at + dt.timedelta(days=20), reason="太久"
        )


def test_extension_request_by_someone_else_is_forbidden(people):
    issue = issue_in_state(people, "accepted")
    with pytest.raises(TransitionForbidden):
        services.issue_extension_request(
            issue=issue, actor=people.colleague, new_due_at=issue.due_at + dt.timedelta(days=1), reason="x"
        )


def test_requester_cannot_approve_own_extension(people):
    issue = issue_in_state(people, "accepted")
    extension = services.issue_extension_request(
        issue=issue, actor=people.handler, new_due_at=issue.due_at + dt.timedelta(days=1), reason="x"
    )
    with pytest.raises(TransitionForbidden):
        services.issue_extension_approve(extension=extension, actor=people.handler)


def test_extension_reject_keeps_the_deadline(people):
    issue = issue_in_state(people, "accepted")
    due = issue.due_at
    extension = services.issue_extension_request(
        issue=issue, actor=people.handler, new_due_at=due + dt.timedelta(days=1), reason="x"
    )
    services.issue_extension_reject(extension=extension, actor=people.dispatcher, reason="理由不足")
    issue.refresh_from_db()
    assert (issue.due_at, ExtensionRequest.objects.get().state) == (due, "rejected")


def test_extension_needs_exactly_one_subject(people):
    from django.db import IntegrityError, transaction

    issue = issue_in_state(people, "accepted")
    with pytest.raises(IntegrityError), transaction.atomic():
        ExtensionRequest.objects.create(new_due_at=issue.due_at, reason="x", requested_by=people.handler)


def test_cancel_from_resolved_is_a_conflict(people):
    issue = issue_in_state(people, "resolved")
    with pytest.raises(TransitionConflict):
        services.issue_cancel(issue=issue, actor=people.dispatcher, reason="x")


# -- property test: random actions by random roles --------------------------------------------------

ALLOWED = {
    "reported": {"closed", "dispatched", "cancelled", "reported"},
    "dispatched": {"accepted", "reported", "cancelled"},
    "accepted": {"in_progress", "resolved", "cancelled"},
    "in_progress": {"in_progress", "resolved", "cancelled"},
    "resolved": {"closed", "resolved", "in_progress"},
}
ACTIONS = ["answer", "dispatch", "accept", "reject", "progress", "resolve", "follow_up", "reopen", "close", "cancel"]
ROLES = ["dispatcher", "handler", "colleague", "reporter", "observer"]


def _act(people, issue, action, actor):
    s = services
    calls = {
        "answer": lambda: s.issue_answer(issue=issue, actor=actor, result="答复"),
        "dispatch": lambda: s.issue_dispatch(issue=issue, actor=actor, handler=people.handler, unit=people.unit),
        "accept": lambda: s.issue_accept(issue=issue, actor=actor),
        "reject": lambda: s.issue_reject(issue=issue, actor=actor, reason="错派"),
        "progress": lambda: s.issue_report_progress(issue=issue, actor=actor, text="进展"),
        "resolve": lambda: s.issue_resolve(issue=issue, actor=actor, result="好", resolution="substantive"),
        "follow_up": lambda: s.issue_follow_up(issue=issue, actor=actor, satisfaction="unsatisfied"),
        "reopen": lambda: s.issue_reopen(issue=issue, actor=actor),
        "close": lambda: s.issue_close(issue=issue, actor=actor, reason="归档"),
        "cancel": lambda: s.issue_cancel(issue=issue, actor=actor, reason="重复"),
    }
    return calls[action]()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(ACTIONS), st.sampled_from(ROLES)), max_size=12))
def test_random_actions_keep_the_state_machine_and_the_log_in_step(people, steps):
    issue = register(people)
    for action, role in steps:
        before = LivelihoodIssue.objects.get(pk=issue.pk).state
        try:
            _act(people, issue, action, getattr(people, role))
        except TransitionError:
            continue
        after = LivelihoodIssue.objects.get(pk=issue.pk).state
        assert after in ALLOWED[before]
        if role in ("observer", "colleague"):
            pytest.fail(f"{role} took {action}")
    final = LivelihoodIssue.objects.get(pk=issue.pk)
    last = TransitionLog.objects.for_object(final).order_by("-at", "-pk").first()
    assert last.target == final.state


def test_commissioner_sees_overdue_orders_of_the_jurisdiction(people, time_machine):
    from issues.selectors import issues_overdue_visible_to

    time_machine.move_to(dt.datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI), tick=False)
    issue = issue_in_state(people, "accepted")
    as_of = dt.datetime(2026, 12, 15, 10, 0, tzinfo=SHANGHAI)
    assert list(issues_overdue_visible_to(people.commissioner, as_of)) == [issue]


def test_commissioner_elsewhere_sees_no_overdue_orders(people, time_machine):
    from issues.selectors import issues_overdue_visible_to

    time_machine.move_to(dt.datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI), tick=False)
    issue_in_state(people, "accepted")
    as_of = dt.datetime(2026, 12, 15, 10, 0, tzinfo=SHANGHAI)
    assert list(issues_overdue_visible_to(people.other_commissioner, as_of)) == []


def test_resolve_limit_comes_from_the_admins_policy(people, time_machine):
    from workflows.models import DeadlinePolicy

    DeadlinePolicy.objects.filter(kind="issue", urgent=False, category_code="").update(resolve_within_working_days=3)
    time_machine.move_to(dt.datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI), tick=False)  # Monday
    issue = issue_in_state(people, "dispatched")
    assert timezone.localtime(issue.due_at).date() == dt.date(2026, 12, 10)
