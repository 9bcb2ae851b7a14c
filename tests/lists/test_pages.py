import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from lists import services
from lists.models import ExtensionRequest, ResponsibilityItem, ResponsibilityList
from tests.lists.pages_helpers import *  # noqa: F403  (fixtures)

from .pages_helpers import MONTH, build_list

READERS = ["leader", "cadre", "colleague", "commissioner", "township_commissioner", "observer", "secretary", "admin"]
OUT_OF_SCOPE = ["other_leader", "other_cadre", "other_commissioner"]


def item_url(item):
    return reverse("lists:item-detail", args=[item.pk])


def action_url(item, name):
    return reverse("lists:item-action", args=[item.pk, name])


@pytest.mark.parametrize("who", READERS)
def test_item_page_is_readable_in_scope(who, personas, item, client_as):
    assert client_as(getattr(personas, who)).get(item_url(item)).status_code == 200


@pytest.mark.parametrize("who", OUT_OF_SCOPE)
def test_item_page_outside_scope_is_404(who, personas, item, client_as):
    assert client_as(getattr(personas, who)).get(item_url(item)).status_code == 404


def test_item_page_for_outsider_is_404(personas, item, client_as):
    assert client_as(personas.outsider()).get(item_url(item)).status_code == 404


@pytest.mark.parametrize(
    "name",
    ["lists:list-index", "lists:my-tasks", "lists:verification-queue"],
)
def test_anonymous_is_sent_to_login(name, client):
    response = client.get(reverse(name))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_anonymous_item_page_is_sent_to_login(item, client):
    response = client.get(item_url(item))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_assignee_sees_accept_button(personas, item, client_as):
    response = client_as(personas.cadre).get(item_url(item))
    assert action_url(item, "accept").encode() in response.content


@pytest.mark.parametrize("who", ["commissioner", "observer", "colleague"])
def test_readers_see_no_action_buttons(who, personas, submitted_item, client_as):
    response = client_as(getattr(personas, who)).get(item_url(submitted_item))
    assert b"/actions/" not in response.content
    assert b'enctype="multipart/form-data"' not in response.content


@pytest.mark.parametrize("who", ["commissioner", "observer", "colleague"])
def test_readers_cannot_post_actions(who, personas, submitted_item, client_as):
    response = client_as(getattr(personas, who)).post(action_url(submitted_item, "verify"), {})
    assert response.status_code == 403
    assert ResponsibilityItem.objects.get(pk=submitted_item.pk).state == "submitted"


@pytest.mark.parametrize("who", ["commissioner", "observer"])
def test_readers_cannot_comment(who, personas, item, client_as):
    url = reverse("lists:item-comment", args=[item.pk])
    assert client_as(getattr(personas, who)).post(url, {"note-text": "x"}).status_code == 403


def test_leader_sees_verify_and_return_on_submitted_item(personas, submitted_item, client_as):
    content = client_as(personas.leader).get(item_url(submitted_item)).content
    assert action_url(submitted_item, "verify").encode() in content
    assert action_url(submitted_item, "return").encode() in content


def test_out_of_scope_post_is_404(personas, submitted_item, client_as):
    response = client_as(personas.other_leader).post(action_url(submitted_item, "verify"), {})
    assert response.status_code == 404


def test_assignee_cannot_verify_own_item_page_is_403(personas, client_as):
    lst = build_list(personas, assignee=personas.leader)
    it = lst.items.get()
    it = services.item_accept(item=it, actor=personas.leader)
    it = services.item_report_progress(item=it, actor=personas.leader, text="x")
    it = services.item_submit(item=it, actor=personas.leader, result="done")
    response = client_as(personas.leader).post(action_url(it, "verify"), {})
    assert response.status_code == 403


def test_stale_action_shows_state_changed_message(personas, item, client_as):
    services.item_accept(item=item, actor=personas.cadre)
    client = client_as(personas.cadre)
    response = client.post(action_url(item, "accept"), {}, follow=True)
    assert response.status_code == 200
    assert any("changed" in str(m) or "变化" in str(m) for m in response.context["messages"])


def test_return_without_reason_keeps_the_form_with_an_error(personas, submitted_item, client_as):
    response = client_as(personas.leader).post(action_url(submitted_item, "return"), {"return-reason": ""})
    assert response.status_code == 200
    form = next(a["form"] for a in response.context["actions"] if a["name"] == "return")
    assert "reason" in form.errors
    assert ResponsibilityItem.objects.get(pk=submitted_item.pk).state == "submitted"


def test_progress_with_bad_percent_keeps_the_text(personas, item, client_as):
    services.item_accept(item=item, actor=personas.cadre)
    response = client_as(personas.cadre).post(
        action_url(item, "report_progress"), {"report_progress-text": "已开会部署", "report_progress-percent": "150"}
    )
    assert response.status_code == 200
    assert "已开会部署".encode() in response.content
    assert ResponsibilityItem.objects.get(pk=item.pk).state == "accepted"


def test_item_form_error_keeps_the_input(personas, client_as):
    lst = build_list(personas, items=0, publish=False)
    url = reverse("lists:item-create", args=[lst.pk])
    response = client_as(personas.leader).post(
        url, {"title": "安全隐患排查", "standard": "", "assignee": personas.cadre.pk, "due_at": "not a date"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert {"standard", "due_at", "lead_leader"} <= set(form.errors)
    assert "安全隐患排查".encode() in response.content
    assert not lst.items.exists()


def test_item_assignee_must_be_a_member_of_the_unit(personas, client_as):
    lst = build_list(personas, items=0, publish=False)
    url = reverse("lists:item-create", args=[lst.pk])
    data = {
        "title": "t",
        "standard": "s",
        "assignee": personas.other_cadre.pk,
        "lead_leader": personas.leader.pk,
        "due_at": "2026-12-20T18:00",
    }
    response = client_as(personas.leader).post(url, data)
    assert "assignee" in response.context["form"].errors


def test_cadre_cannot_open_the_item_editor(personas, client_as):
    lst = build_list(personas, items=0, publish=False)
    url = reverse("lists:item-create", args=[lst.pk])
    assert client_as(personas.cadre).get(url).status_code == 403


def test_commissioner_cannot_publish(personas, client_as):
    lst = build_list(personas, publish=False)
    url = reverse("lists:list-publish", args=[lst.pk])
    assert client_as(personas.commissioner).post(url).status_code == 403
    assert ResponsibilityList.objects.get(pk=lst.pk).state == "draft"


def test_publish_blocked_lists_the_reasons(personas, client_as):
    lst = build_list(personas, items=0, publish=False)
    services.item_create(lst=lst, actor=personas.leader, title="缺责任人")
    response = client_as(personas.leader).post(reverse("lists:list-publish", args=[lst.pk]), follow=True)
    text = " ".join(str(m) for m in response.context["messages"])
    assert "缺责任人" in text
    assert ResponsibilityList.objects.get(pk=lst.pk).state == "draft"


def test_leader_creates_a_list(personas, client_as):
    response = client_as(personas.leader).post(
        reverse("lists:list-create"), {"unit": personas.branch.pk, "month": "2027-01", "title": ""}
    )
    lst = ResponsibilityList.objects.get(unit=personas.branch, month=dt.date(2027, 1, 1))
    assert response.status_code == 302 and lst.state == "draft"


def test_list_create_bad_month_keeps_input(personas, client_as):
    response = client_as(personas.leader).post(
        reverse("lists:list-create"), {"unit": personas.branch.pk, "month": "2027/13", "title": "我的清单"}
    )
    assert response.status_code == 200
    assert "month" in response.context["create_form"].errors
    assert "我的清单".encode() in response.content


def test_leader_cannot_create_a_list_for_another_branch(personas, client_as):
    response = client_as(personas.leader).post(
        reverse("lists:list-create"), {"unit": personas.other_branch.pk, "month": "2027-01"}
    )
    assert "unit" in response.context["create_form"].errors
    assert not ResponsibilityList.objects.filter(unit=personas.other_branch).exists()


def test_cadre_cannot_create_lists(personas, client_as):
    response = client_as(personas.cadre).post(
        reverse("lists:list-create"), {"unit": personas.branch.pk, "month": "2027-01"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["leader", "cadre", "commissioner", "observer"])
def test_list_page_is_readable_in_scope(who, personas, published_list, client_as):
    url = reverse("lists:list-detail", args=[published_list.pk])
    assert client_as(getattr(personas, who)).get(url).status_code == 200


@pytest.mark.parametrize("who", OUT_OF_SCOPE)
def test_list_page_outside_scope_is_404(who, personas, published_list, client_as):
    url = reverse("lists:list-detail", args=[published_list.pk])
    assert client_as(getattr(personas, who)).get(url).status_code == 404


def test_commissioner_sees_no_list_actions(personas, client_as):
    lst = build_list(personas, publish=False)
    content = client_as(personas.commissioner).get(reverse("lists:list-detail", args=[lst.pk])).content
    assert reverse("lists:list-publish", args=[lst.pk]).encode() not in content
    assert reverse("lists:item-create", args=[lst.pk]).encode() not in content


def test_leader_deletes_a_draft_item(personas, client_as):
    lst = build_list(personas, publish=False)
    it = lst.items.get()
    client_as(personas.leader).post(reverse("lists:item-delete", args=[it.pk]))
    assert not lst.items.exists()


def test_leader_edits_a_draft_item(personas, client_as):
    lst = build_list(personas, publish=False)
    it = lst.items.get()
    data = {
        "title": "改后的标题",
        "standard": "新标准",
        "assignee": personas.colleague.pk,
        "co_handlers": [personas.cadre.pk],
        "lead_leader": personas.leader.pk,
        "due_at": "2026-12-20T18:00",
    }
    client_as(personas.leader).post(reverse("lists:item-edit", args=[it.pk]), data)
    it.refresh_from_db()
    assert (it.title, it.assignee, list(it.co_handlers.all())) == ("改后的标题", personas.colleague, [personas.cadre])


def test_close_with_carry_over_choice(personas, published_list, client_as):
    it = published_list.items.get()
    url = reverse("lists:list-close", args=[published_list.pk])
    client_as(personas.leader).post(url, {f"item_{it.pk}": "carry_over"})
    it.refresh_from_db()
    assert it.state == "carried_over"
    assert ResponsibilityItem.objects.get(carried_over_from=it).list.month == dt.date(2027, 1, 1)


def test_close_without_a_decision_is_refused(personas, published_list, client_as):
    url = reverse("lists:list-close", args=[published_list.pk])
    response = client_as(personas.leader).post(url, {})
    assert response.status_code == 200 and response.context["form"].errors
    assert ResponsibilityList.objects.get(pk=published_list.pk).state == "published"


def test_my_tasks_shows_only_my_items(personas, client_as):
    build_list(personas)
    build_list(personas, unit=personas.other_branch, leader=personas.other_leader, assignee=personas.other_cadre)
    items = list(client_as(personas.cadre).get(reverse("lists:my-tasks")).context["items"])
    assert {i.assignee for i in items} == {personas.cadre}


def test_verification_queue_lists_submitted_items(personas, submitted_item, client_as):
    response = client_as(personas.leader).get(reverse("lists:verification-queue"))
    assert list(response.context["items"]) == [submitted_item]


def test_verification_queue_is_empty_for_other_leader(personas, submitted_item, client_as):
    response = client_as(personas.other_leader).get(reverse("lists:verification-queue"))
    assert list(response.context["items"]) == []


def test_extension_request_and_approval(personas, item, client_as):
    services.item_accept(item=item, actor=personas.cadre)
    new_due = timezone.localtime(item.due_at + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    client_as(personas.cadre).post(
        reverse("lists:item-extension", args=[item.pk]),
        {"ext-new_due_at": new_due, "ext-reason": "等待审批"},
    )
    extension = ExtensionRequest.objects.get()
    response = client_as(personas.leader).get(reverse("lists:extension-queue"))
    assert list(response.context["extensions"]) == [extension]
    client_as(personas.leader).post(reverse("lists:extension-decide", args=[extension.pk, "approve"]))
    item.refresh_from_db()
    assert timezone.localtime(item.due_at).strftime("%Y-%m-%dT%H:%M") == new_due


def test_extension_earlier_than_deadline_is_refused(personas, item, client_as):
    earlier = timezone.localtime(item.due_at - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client_as(personas.cadre).post(
        reverse("lists:item-extension", args=[item.pk]), {"ext-new_due_at": earlier, "ext-reason": "r"}
    )
    assert "new_due_at" in response.context["extension_form"].errors
    assert not ExtensionRequest.objects.exists()


def test_only_the_assignee_requests_an_extension(personas, item, client_as):
    later = timezone.localtime(item.due_at + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client_as(personas.leader).post(
        reverse("lists:item-extension", args=[item.pk]), {"ext-new_due_at": later, "ext-reason": "r"}
    )
    assert response.status_code == 403


def test_reject_extension_needs_a_reason(personas, item, client_as):
    extension = services.extension_request(
        item=item, actor=personas.cadre, new_due_at=item.due_at + dt.timedelta(days=3), reason="r"
    )
    url = reverse("lists:extension-decide", args=[extension.pk, "reject"])
    response = client_as(personas.leader).post(url, {"reject-reason": ""})
    assert "reason" in response.context["reject_form"].errors
    assert ExtensionRequest.objects.get().state == "pending"


def test_list_page_queries_are_bounded(personas, client_as, django_assert_max_num_queries):
    lst = build_list(personas, items=200, publish=False)
    for it in lst.items.all()[:50]:
        it.co_handlers.set([personas.colleague])
    client = client_as(personas.leader)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("lists:list-detail", args=[lst.pk]))
    assert len(response.context["items"]) == 200


def test_my_tasks_queries_are_bounded(personas, client_as, django_assert_max_num_queries):
    build_list(personas, items=200)
    client = client_as(personas.cadre)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("lists:my-tasks"))
    assert len(response.context["items"]) == 200


def test_home_card_links_each_role_to_its_work(personas, submitted_item, client_as):
    content = client_as(personas.leader).get(reverse("home")).content
    assert reverse("lists:verification-queue").encode() in content


def test_home_card_for_cadre_links_my_tasks(personas, item, client_as):
    content = client_as(personas.cadre).get(reverse("home")).content
    assert reverse("lists:my-tasks").encode() in content


def test_whole_journey_through_the_pages(personas, client_as):
    leader = client_as(personas.leader)
    leader.post(reverse("lists:list-create"), {"unit": personas.branch.pk, "month": "2026-12"})
    lst = ResponsibilityList.objects.get(unit=personas.branch, month=MONTH)
    leader.post(
        reverse("lists:item-create", args=[lst.pk]),
        {
            "title": "主题党日",
            "standard": "召开并记录",
            "assignee": personas.cadre.pk,
            "lead_leader": personas.leader.pk,
            "due_at": "2026-12-20T18:00",
        },
    )
    leader.post(reverse("lists:list-publish", args=[lst.pk]))
    it = lst.items.get()
    cadre = client_as(personas.cadre)
    cadre.post(action_url(it, "accept"), {})
    cadre.post(action_url(it, "report_progress"), {"report_progress-text": "已通知", "report_progress-percent": "50"})
    cadre.post(action_url(it, "submit"), {"submit-result": "已召开"})
    leader = client_as(personas.leader)
    leader.post(action_url(it, "return"), {"return-reason": "缺少照片"})
    cadre = client_as(personas.cadre)
    cadre.post(
        action_url(it, "report_progress"), {"report_progress-text": "补充照片", "report_progress-percent": "100"}
    )
    cadre.post(action_url(it, "submit"), {"submit-result": "已补充"})
    leader = client_as(personas.leader)
    leader.post(action_url(it, "verify"), {"verify-comment": "同意"})
    it.refresh_from_db()
    assert it.state == "completed"
    history = leader.get(item_url(it)).context["history"]
    assert len(history) == 8


def test_pages_speak_chinese_by_default(personas, item, client_as):
    content = client_as(personas.cadre).get(reverse("lists:my-tasks")).content.decode()
    assert "我的任务" in content and "签收" in content


def test_pages_are_available_in_english(personas, item, client_as):
    client = client_as(personas.cadre)
    content = client.get(reverse("lists:my-tasks"), headers={"accept-language": "en"}).content.decode()
    assert "My tasks" in content


@pytest.mark.parametrize(
    "model", ["responsibilitylist", "responsibilityitem", "extensionrequest", "recurringitemtemplate", "evidence"]
)
def test_admin_changelists_render(model, personas, item, client_as):
    response = client_as(personas.admin).get(reverse(f"admin:lists_{model}_changelist"))
    assert response.status_code == 200


def test_admin_item_change_page_renders(personas, item, client_as):
    response = client_as(personas.admin).get(reverse("admin:lists_responsibilityitem_change", args=[item.pk]))
    assert response.status_code == 200


def test_my_tasks_lists_items_i_co_handle(personas, item, client_as):
    item.co_handlers.set([personas.colleague])
    response = client_as(personas.colleague).get(reverse("lists:my-tasks"))
    assert list(response.context["co_handled"]) == [item]


def test_home_card_for_commissioner_links_the_lists_not_my_tasks(personas, item, client_as):
    content = client_as(personas.commissioner).get(reverse("home")).content
    assert reverse("lists:list-index").encode() in content
    assert reverse("lists:my-tasks").encode() not in content


def test_cancel_needs_a_reason_and_then_cancels(personas, item, client_as):
    client = client_as(personas.leader)
    response = client.post(action_url(item, "cancel"), {"cancel-reason": ""})
    assert response.status_code == 200 and ResponsibilityItem.objects.get(pk=item.pk).state == "assigned"
    client.post(action_url(item, "cancel"), {"cancel-reason": "任务调整"})
    assert ResponsibilityItem.objects.get(pk=item.pk).state == "cancelled"


def test_suspend_and_resume_through_the_page(personas, item, client_as):
    services.item_accept(item=item, actor=personas.cadre)
    client = client_as(personas.leader)
    client.post(action_url(item, "suspend"), {"suspend-reason": "上级通知暂缓"})
    assert ResponsibilityItem.objects.get(pk=item.pk).state == "suspended"
    client.post(action_url(item, "resume"), {})
    assert ResponsibilityItem.objects.get(pk=item.pk).state == "in_progress"


def test_leader_sees_publish_on_a_draft_list(personas, client_as):
    lst = build_list(personas, publish=False)
    content = client_as(personas.leader).get(reverse("lists:list-detail", args=[lst.pk])).content
    assert reverse("lists:list-publish", args=[lst.pk]).encode() in content


def test_cadre_sees_no_publish_on_a_draft_list(personas, client_as):
    lst = build_list(personas, publish=False)
    content = client_as(personas.cadre).get(reverse("lists:list-detail", args=[lst.pk])).content
    assert reverse("lists:list-publish", args=[lst.pk]).encode() not in content


def test_unknown_action_is_404(personas, item, client_as):
    assert client_as(personas.leader).post(action_url(item, "explode"), {}).status_code == 404


def test_verification_queue_queries_are_bounded(personas, client_as, django_assert_max_num_queries):
    lst = build_list(personas, items=30)
    for it in lst.items.all():
        it = services.item_accept(item=it, actor=personas.cadre)
        it = services.item_report_progress(item=it, actor=personas.cadre, text="x")
        services.item_submit(item=it, actor=personas.cadre, result="done")
    client = client_as(personas.leader)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("lists:verification-queue"))
    assert len(response.context["items"]) == 30


def test_leader_verifies_from_the_list_page(personas, submitted_item, client_as):
    client = client_as(personas.leader)
    list_url = reverse("lists:list-detail", args=[submitted_item.list_id])
    assert action_url(submitted_item, "verify").encode() in client.get(list_url).content
    response = client.post(action_url(submitted_item, "verify"), {"next": list_url})
    assert response["Location"] == list_url
    assert ResponsibilityItem.objects.get(pk=submitted_item.pk).state == "completed"
