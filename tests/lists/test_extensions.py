"""One approval path for extension requests (延期申请) on every subject: items and work orders.

Who decides is one rule — whoever may move the subject's deadline (its ``move_deadline``
permission), never the requester — checked once, by the approval or rejection itself. Work
orders used to move their deadline without any permission of their own; these tests hold the
rule for both subjects and in both townships.
"""

import datetime as dt

import pytest

from issues import services as issue_services
from issues.models import LivelihoodIssue
from lists import services
from lists.models import ExtensionRequest
from organization.models import Unit, User
from tests.issues.issue_fixtures import issue_in_state, people_fixture  # noqa: F401
from workflows.engine import TransitionForbidden, holds_transition_permission
from workflows.models import TransitionLog

from .lists_builders import add_item, draft_list, item_in_state

SUBJECTS = ["item", "issue"]
TOWNSHIPS = ["qingshan", "baishui"]
# Who may not decide: a colleague, an observer, and the other township's leaders.
STRANGERS = {
    "qingshan": ["colleague", "observer", "b_leader", "b_secretary"],
    "baishui": ["b_cadre", "leader", "secretary", "b_commissioner"],
}


def _baishui_item(personas):
    """An item of 白水镇's branch 01 in progress: assignee bcadre002, lead leader bleader01."""
    assignee = User.objects.get(username="bcadre002")
    lst = draft_list(personas, unit=personas.b_branch)
    item = add_item(personas, lst, assignee=assignee, lead_leader=personas.b_leader, actor=personas.b_leader)
    services.list_publish(lst=lst, actor=personas.b_leader)
    item.refresh_from_db()
    return services.item_accept(item=item, actor=assignee), assignee


def _baishui_issue(personas):
    """A work order of 白水村 dispatched by bsecretary to bcadre002 and accepted."""
    handler = User.objects.get(username="bcadre002")
    issue = issue_services.issue_register(
        actor=personas.b_cadre,
        title="白水村路灯不亮",
        place_unit=Unit.objects.get(code="bs-village1"),
        category=LivelihoodIssue.Category.ROADS,
    )
    issue = issue_services.issue_dispatch(
        issue=issue, actor=personas.b_secretary, handler=handler, unit=personas.b_branch
    )
    return issue_services.issue_accept(issue=issue, actor=handler), handler


def pending(subject: str, home: str, personas, people):
    """(subject, its pending extension request, a user who may decide it), through the one
    request service of every subject."""
    builders = {
        ("item", "qingshan"): lambda: (item_in_state(personas, "in_progress"), personas.cadre, personas.leader),
        ("item", "baishui"): lambda: (*_baishui_item(personas), personas.b_leader),
        ("issue", "qingshan"): lambda: (issue_in_state(people, "accepted"), people.handler, people.dispatcher),
        ("issue", "baishui"): lambda: (*_baishui_issue(personas), personas.b_leader),
    }
    target, requester, decider = builders[subject, home]()
    extension = services.extension_ask(
        subject_field=subject,
        subject=target,
        actor=requester,
        new_due_at=target.due_at + dt.timedelta(days=2),
        reason="等材料",
    )
    return target, extension, decider


@pytest.mark.parametrize("home", TOWNSHIPS)
@pytest.mark.parametrize("subject_kind", SUBJECTS)
def test_approval_moves_the_deadline_records_the_decider_and_logs_it_on_the_subject(
    subject_kind, home, personas, people
):
    subject, extension, decider = pending(subject_kind, home, personas, people)
    original = subject.due_at
    services.extension_approve(extension=extension, actor=decider)
    extension.refresh_from_db()
    subject.refresh_from_db()
    assert (extension.state, extension.decided_by, subject.due_at) == ("approved", decider, extension.new_due_at)
    assert subject.original_due_at == original
    last = TransitionLog.objects.for_object(subject).last()
    assert (last.transition, last.actor, last.payload["extension"]) == ("extend", decider, extension.pk)


@pytest.mark.parametrize("home", TOWNSHIPS)
@pytest.mark.parametrize("subject_kind", SUBJECTS)
def test_rejection_records_the_decider_and_keeps_the_deadline(subject_kind, home, personas, people):
    subject, extension, decider = pending(subject_kind, home, personas, people)
    due = subject.due_at
    services.extension_reject(extension=extension, actor=decider, reason="理由不足")
    extension.refresh_from_db()
    subject.refresh_from_db()
    assert (extension.state, extension.decided_by, extension.decision_reason) == ("rejected", decider, "理由不足")
    assert subject.due_at == due


@pytest.mark.parametrize("home", TOWNSHIPS)
@pytest.mark.parametrize("subject_kind", SUBJECTS)
def test_only_who_may_move_the_subjects_deadline_decides(subject_kind, home, personas, people):
    subject, extension, decider = pending(subject_kind, home, personas, people)
    assert holds_transition_permission(subject, "move_deadline", decider) and extension.may_decide(decider)
    for name in STRANGERS[home]:
        stranger = getattr(personas, name)
        assert not holds_transition_permission(subject, "move_deadline", stranger), name
        with pytest.raises(TransitionForbidden):
            services.extension_approve(extension=extension, actor=stranger)
        with pytest.raises(TransitionForbidden):
            services.extension_reject(extension=extension, actor=stranger, reason="不行")
    extension = ExtensionRequest.objects.get(pk=extension.pk)
    assert (extension.state, extension.decided_by_id) == ("pending", None)


@pytest.mark.parametrize("subject_kind", SUBJECTS)
def test_the_requester_never_decides_even_when_they_may_move_deadlines(subject_kind, personas, people):
    """A leader's own request waits on another leader (four-eyes), for every subject."""
    subject, extension, _decider = pending(subject_kind, "qingshan", personas, people)
    ExtensionRequest.objects.filter(pk=extension.pk).update(requested_by=personas.secretary)
    extension.refresh_from_db()
    assert holds_transition_permission(subject, "move_deadline", personas.secretary)
    with pytest.raises(TransitionForbidden):
        services.extension_approve(extension=extension, actor=personas.secretary)
