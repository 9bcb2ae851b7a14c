"""The viewflow flows follow the services: tasks open and close in step with the item's state."""

import datetime as dt

import pytest
from viewflow.workflow import STATUS, lock
from viewflow.workflow.models import Task

from lists import services
from lists.flows import ItemFlow, ListFlow, open_tasks_for
from lists.models import ItemProcess, ListProcess

from .lists_builders import add_item, draft_list, item_in_state


def open_task_names(user):
    return [task.flow_task.name for task in open_tasks_for(user)]


def item_tasks(item):
    process = ItemProcess.objects.get(item=item)
    return [
        (t.flow_task.name, t.status, t.owner.username if t.owner else None) for t in process.task_set.order_by("pk")
    ]


@pytest.mark.parametrize("flow_class", [ItemFlow, ListFlow])
def test_every_flow_locks_its_process_row(flow_class):
    assert isinstance(flow_class.lock_impl, lock.SelectForUpdateLock)


def test_creating_a_list_puts_publish_in_the_leaders_inbox(personas):
    lst = draft_list(personas)
    assert ListProcess.objects.get(list=lst).status == "NEW"
    assert open_task_names(personas.leader) == ["publish"]


def test_publishing_starts_an_item_process_with_accept_for_the_assignee(personas):
    item = item_in_state(personas, "assigned")
    assert open_task_names(personas.cadre) == ["accept"]
    assert open_task_names(personas.leader) == ["close"]
    assert item_tasks(item)[-1] == ("accept", STATUS.ASSIGNED, "cadre001")


def test_accepting_moves_the_assignee_to_the_work_task(personas):
    item_in_state(personas, "accepted")
    assert open_task_names(personas.cadre) == ["work"]


def test_progress_reports_stay_inside_the_work_task(personas):
    item_in_state(personas, "in_progress")
    assert open_task_names(personas.cadre) == ["work"]


def test_submitting_gives_the_lead_leader_a_verify_task(personas):
    item_in_state(personas, "submitted")
    assert open_task_names(personas.cadre) == []
    assert open_task_names(personas.leader) == ["close", "verify"]


def test_verifier_is_a_unit_leader_when_the_lead_leader_is_the_assignee(personas):
    lst = draft_list(personas)
    item = add_item(personas, lst, assignee=personas.leader, lead_leader=personas.leader)
    services.list_publish(lst=lst, actor=personas.leader)
    item = services.item_accept(item=item, actor=personas.leader)
    item = services.item_report_progress(item=item, actor=personas.leader, text="x")
    services.item_submit(item=item, actor=personas.leader, result="done")
    assert open_task_names(personas.secretary) == ["verify"]


def test_returning_reopens_the_work_task(personas):
    item = item_in_state(personas, "returned")
    assert open_task_names(personas.cadre) == ["work"]
    assert [name for name, *_ in item_tasks(item)] == ["start", "accept", "work", "verify", "check_verified", "work"]


def test_verifying_finishes_the_process(personas):
    item = item_in_state(personas, "completed")
    process = ItemProcess.objects.get(item=item)
    assert process.status == STATUS.DONE and process.finished is not None
    assert not Task.objects.filter(process=process, status__in=[STATUS.NEW, STATUS.ASSIGNED]).exists()


def test_a_task_is_closed_by_whoever_took_it(personas):
    item = item_in_state(personas, "submitted")
    services.item_verify(item=item, actor=personas.secretary)
    assert item_tasks(item)[3] == ("verify", STATUS.DONE, "secretary")


def test_cancelling_an_item_cancels_its_process(personas):
    item = item_in_state(personas, "in_progress")
    services.item_cancel(item=item, actor=personas.leader, reason="merged")
    assert ItemProcess.objects.get(item=item).status == STATUS.CANCELED
    assert open_task_names(personas.cadre) == []


def test_suspension_keeps_the_work_task(personas):
    item_in_state(personas, "suspended")
    assert open_task_names(personas.cadre) == ["work"]


def test_closing_a_list_ends_its_flow_and_the_open_items_flows(personas):
    item = item_in_state(personas, "in_progress")
    services.list_close(lst=item.list, actor=personas.leader, decisions={item.pk: "unfinished"})
    assert ListProcess.objects.get(list=item.list).status == STATUS.DONE
    assert ItemProcess.objects.get(item=item).status == STATUS.CANCELED
    assert open_task_names(personas.cadre) == []


def test_carried_over_copy_gets_a_new_process_when_next_list_is_published(personas):
    item = item_in_state(personas, "accepted")
    services.list_close(lst=item.list, actor=personas.leader, decisions={item.pk: "carry_over"})
    copy = item.carried_over_to.get()
    services.list_publish(lst=copy.list, actor=personas.leader)
    assert ItemProcess.objects.get(item=copy).status == "NEW"
    assert open_task_names(personas.cadre) == ["accept"]


def test_an_item_without_a_process_still_moves(personas):
    item = item_in_state(personas, "assigned")
    ItemProcess.objects.filter(item=item).delete()
    assert services.item_accept(item=item, actor=personas.cadre).state == "accepted"


def test_inbox_api_lists_my_open_tasks(personas, api_as):
    item = item_in_state(personas, "assigned")
    body = api_as(personas.cadre).get("/api/v1/inbox/").json()
    assert body["count"] == 1
    assert {k: body["results"][0][k] for k in ("subject_type", "subject_id", "action")} == {
        "subject_type": "item",
        "subject_id": item.pk,
        "action": "accept",
    }


def test_inbox_api_needs_authentication(api):
    assert api.get("/api/v1/inbox/").status_code == 401


def test_inbox_api_stays_within_fixed_queries(personas, api_as, django_assert_max_num_queries):
    for month in range(1, 6):
        lst = draft_list(personas, month=dt.date(2027, month, 1))
        for n in range(4):
            add_item(personas, lst, title=f"t{n}")
        services.list_publish(lst=lst, actor=personas.leader)
    # authentication and scope, then one query per subject type with steps for a cadre
    # (items, lists, pledges, work orders, activities, make-ups, findings; tests/lists/test_inbox.py
    # covers the rest)
    with django_assert_max_num_queries(9):
        body = api_as(personas.cadre).get("/api/v1/inbox/").json()
    assert body["count"] == 20


def test_inbox_page_lists_tasks_with_links(personas, client):
    item = item_in_state(personas, "assigned")
    client.force_login(personas.cadre)
    response = client.get("/lists/inbox/")
    assert response.status_code == 200
    assert f"/lists/items/{item.pk}/" in response.content.decode()


def test_inbox_page_needs_login(client):
    response = client.get("/lists/inbox/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_task_view_redirects_to_the_item_page(personas, client):
    from lists.flows import open_task_view

    item = item_in_state(personas, "assigned")
    task = open_tasks_for(personas.cadre).get()
    response = open_task_view(None, task.process_id, task.pk)
    assert response["Location"] == f"/lists/items/{item.pk}/"
