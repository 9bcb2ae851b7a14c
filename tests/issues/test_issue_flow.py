from viewflow.workflow.status import STATUS

from issues import flows as issue_flows
from issues import services

from .issue_fixtures import issue_in_state, people_fixture, register  # noqa: F401


def open_steps(issue):
    return sorted((t.flow_task.name, t.owner_id) for t in issue_flows.open_tasks(issue))


def test_registration_puts_dispatch_in_the_dispatchers_queue(people):
    issue = register(people)
    assert open_steps(issue) == [("dispatch", None)]
    assert [issue_flows.issue_of(t) for t in issue_flows.inbox(people.dispatcher)] == [issue]


def test_dispatch_puts_acceptance_in_the_handlers_inbox(people):
    issue = issue_in_state(people, "dispatched")
    assert open_steps(issue) == [("accept", people.handler.pk)]
    assert issue_flows.inbox(people.handler).get().status == STATUS.ASSIGNED


def test_reject_brings_dispatch_back(people):
    issue = issue_in_state(people, "dispatched")
    services.issue_reject(issue=issue, actor=people.handler, reason="错派")
    assert open_steps(issue) == [("dispatch", None)]


def test_acceptance_leads_to_handling(people):
    issue = issue_in_state(people, "in_progress")
    assert open_steps(issue) == [("handle", people.handler.pk)]


def test_resolution_leads_to_the_follow_up(people):
    issue = issue_in_state(people, "resolved")
    assert open_steps(issue) == [("follow_up", None)]


def test_unsatisfied_follow_up_keeps_the_task_until_reopened(people):
    issue = issue_in_state(people, "resolved")
    services.issue_follow_up(issue=issue, actor=people.dispatcher, satisfaction="unsatisfied")
    assert open_steps(issue) == [("follow_up", None)]
    services.issue_reopen(issue=issue, actor=people.dispatcher)
    assert open_steps(issue) == [("handle", people.handler.pk)]


def test_satisfied_follow_up_ends_the_process(people):
    issue = issue_in_state(people, "resolved")
    services.issue_follow_up(issue=issue, actor=people.dispatcher, satisfaction="satisfied")
    assert open_steps(issue) == [] and issue_flows.process_of(issue).finished is not None


def test_answer_on_the_spot_ends_the_process(people):
    issue = issue_in_state(people, "closed")
    assert open_steps(issue) == [] and issue_flows.process_of(issue).finished is not None


def test_take_calls_the_steps_service(people):
    issue = issue_in_state(people, "dispatched")
    task = issue_flows.inbox(people.handler).get()
    issue_flows.take(task, actor=people.handler, service="issue_accept")
    issue.refresh_from_db()
    assert issue.state == "accepted" and open_steps(issue) == [("handle", people.handler.pk)]
