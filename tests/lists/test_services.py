"""Services: one transaction each; they move state, log it and tell the people concerned."""

import datetime as dt

import pytest
from django.utils import timezone

from lists import services
from lists.models import ExtensionRequest, ResponsibilityItem, ResponsibilityList
from workflows import events
from workflows.engine import TransitionConflict, TransitionForbidden
from workflows.models import TransitionLog

from .lists_builders import add_item, draft_list, item_in_state


@pytest.fixture
def emitted():
    seen = []
    events.subscribe(seen.append)
    yield seen
    events.unsubscribe(seen.append)


def names(emitted):
    return [e.name for e in emitted]


def test_publish_tells_each_assignee(personas, emitted):
    lst = draft_list(personas)
    add_item(personas, lst, assignee=personas.cadre)
    add_item(personas, lst, assignee=personas.colleague, title="b")
    services.list_publish(lst=lst, actor=personas.leader)
    assigned = [e for e in emitted if e.name == "item.assigned"]
    assert sorted(r for e in assigned for r in e.recipients) == sorted([personas.cadre.pk, personas.colleague.pk])


def test_publish_tells_lead_leaders_other_than_the_publisher(personas, emitted):
    lst = draft_list(personas)
    add_item(personas, lst, lead_leader=personas.secretary)
    services.list_publish(lst=lst, actor=personas.leader)
    published = next(e for e in emitted if e.name == "list.published")
    assert published.recipients == (personas.secretary.pk,)


def test_submit_tells_the_verifiers_but_not_the_assignee(personas, emitted):
    item = item_in_state(personas, "in_progress")
    services.item_submit(item=item, actor=personas.cadre, result="done")
    submitted = next(e for e in emitted if e.name == "item.submitted")
    assert personas.leader.pk in submitted.recipients and personas.cadre.pk not in submitted.recipients


@pytest.mark.parametrize(
    ("service", "state", "kwargs", "event"),
    [
        ("item_verify", "submitted", {}, "item.verified"),
        ("item_return", "submitted", {"reason": "redo"}, "item.returned"),
        ("item_suspend", "in_progress", {"reason": "wait"}, "item.suspended"),
        ("item_resume", "suspended", {}, "item.resumed"),
        ("item_cancel", "accepted", {"reason": "drop"}, "item.cancelled"),
    ],
)
def test_leader_actions_tell_the_assignee(personas, emitted, service, state, kwargs, event):
    item = item_in_state(personas, state)
    getattr(services, service)(item=item, actor=personas.leader, **kwargs)
    found = next(e for e in emitted if e.name == event)
    assert found.recipients == (personas.cadre.pk,) and found.actor_id == personas.leader.pk


def test_marking_unfinished_at_close_tells_the_assignee(personas, emitted):
    item = item_in_state(personas, "in_progress")
    services.list_close(lst=item.list, actor=personas.leader, decisions={item.pk: "unfinished"})
    assert next(e for e in emitted if e.name == "item.unfinished").recipients == (personas.cadre.pk,)


def test_refused_transition_emits_nothing(personas, emitted):
    item = item_in_state(personas, "submitted")
    emitted.clear()
    with pytest.raises(TransitionForbidden):
        services.item_verify(item=item, actor=personas.cadre)
    assert emitted == []


def test_close_without_decisions_is_a_conflict_and_changes_nothing(personas):
    item = item_in_state(personas, "accepted")
    with pytest.raises(TransitionConflict):
        services.list_close(lst=item.list, actor=personas.leader)
    assert ResponsibilityList.objects.get(pk=item.list_id).state == "published"
    assert ResponsibilityItem.objects.get(pk=item.pk).state == "accepted"


def test_carry_over_copies_into_a_published_next_list_and_assigns(personas):
    item = item_in_state(personas, "in_progress")
    following = draft_list(personas, month=dt.date(2027, 1, 1))
    add_item(personas, following, title="already there")
    services.list_publish(lst=following, actor=personas.leader)
    services.list_close(lst=item.list, actor=personas.leader, decisions={item.pk: "carry_over"})
    copy = item.carried_over_to.get()
    assert copy.list == following and copy.state == "assigned"
    assert copy.original_due_at == item.original_due_at


def test_list_update_changes_a_draft(personas):
    lst = draft_list(personas)
    services.list_update(lst=lst, actor=personas.leader, title="new", month=dt.date(2027, 2, 15))
    lst.refresh_from_db()
    assert (lst.title, lst.month) == ("new", dt.date(2027, 2, 1))


def test_list_update_refuses_a_published_list(personas):
    item = item_in_state(personas, "assigned")
    with pytest.raises(TransitionConflict):
        services.list_update(lst=item.list, actor=personas.leader, title="x")


def test_list_delete_draft_removes_its_flow(personas):
    from lists.models import ListProcess

    lst = draft_list(personas)
    services.list_delete_draft(lst=lst, actor=personas.leader)
    assert not ResponsibilityList.objects.exists() and not ListProcess.objects.exists()


def test_extension_approval_records_the_decider_and_moves_the_deadline(personas):
    item = item_in_state(personas, "in_progress")
    new_due = item.due_at + dt.timedelta(days=3)
    extension = services.extension_request(item=item, actor=personas.cadre, new_due_at=new_due, reason="rain")
    services.extension_approve(extension=extension, actor=personas.leader)
    extension.refresh_from_db()
    item.refresh_from_db()
    assert (extension.state, extension.decided_by, item.due_at) == ("approved", personas.leader, new_due)
    assert TransitionLog.objects.for_object(item).last().payload["extension"] == extension.pk


def test_extension_rejection_keeps_the_deadline(personas):
    item = item_in_state(personas, "in_progress")
    extension = services.extension_request(
        item=item, actor=personas.cadre, new_due_at=item.due_at + dt.timedelta(days=3), reason="rain"
    )
    services.extension_reject(extension=extension, actor=personas.leader, reason="no")
    assert ExtensionRequest.objects.get().decided_by == personas.leader
    assert ResponsibilityItem.objects.get(pk=item.pk).due_at == item.due_at


def test_requester_cannot_decide_their_own_extension(personas):
    item = item_in_state(personas, "in_progress")
    extension = services.extension_request(
        item=item, actor=personas.cadre, new_due_at=item.due_at + dt.timedelta(days=3), reason="rain"
    )
    with pytest.raises(TransitionForbidden):
        services.extension_approve(extension=extension, actor=personas.cadre)


def test_resume_pushes_the_deadline_by_the_time_suspended(personas, time_machine):
    start = timezone.now()
    time_machine.move_to(start)
    item = item_in_state(personas, "suspended")
    due = item.due_at
    time_machine.move_to(start + dt.timedelta(days=2))
    item = services.item_resume(item=item, actor=personas.leader)
    assert item.due_at - due >= dt.timedelta(days=2) - dt.timedelta(seconds=5)
