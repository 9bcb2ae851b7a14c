"""Changes of hands in a real browser: a task added in the middle of the month and reassigned
(then its deadline corrected), a stand-in verifying for a leader, and the office's hand-over."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.journeys import login, logout, open_page, screenshot
from tests.lists.lists_builders import add_item, draft_list

pytestmark = pytest.mark.e2e


def press_in(page: Page, form: str) -> None:
    with page.expect_navigation():
        page.locator(f"{form} button[type=submit]").first.click()


def published_list(p):
    from lists import services

    lst = draft_list(p)
    add_item(p, lst, title="月初事项")
    services.list_publish(lst=lst, actor=p.leader)
    return lst


def test_a_mid_month_task_is_reassigned_and_its_deadline_corrected(browser_page, e2e_township):
    from lists.models import ResponsibilityItem

    p, page = e2e_township, browser_page
    lst = published_list(p)
    login(page, "leader01")
    open_page(page, "lists:item-create", pk=lst.pk)  # 临时交办: the list is already published
    page.fill("[name=title]", "迎检材料补报")
    page.fill("[name=standard]", "报送县委办")
    page.select_option("[name=assignee]", str(p.cadre.pk))
    page.select_option("[name=lead_leader]", str(p.leader.pk))
    page.fill("[name=due_at]", (timezone.localtime() + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"))
    with page.expect_navigation():
        page.locator("form[method=post] button[type=submit]:not([name])").last.click()
    item = ResponsibilityItem.objects.get(list=lst, title="迎检材料补报")
    assert (item.state, item.assignee) == ("assigned", p.cadre)

    open_page(page, "lists:item-detail", pk=item.pk)
    page.select_option("[name=reassign-assignee]", str(p.colleague.pk))
    page.fill("[name=reassign-reason]", "cadre001 外出培训")
    press_in(page, "form.action-reassign")
    item.refresh_from_db()
    assert item.assignee == p.colleague

    later = (timezone.localtime(item.due_at) + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    page.fill("[name=correct-due_at]", later)
    page.fill("[name=correct-reason]", "县里推迟检查")
    press_in(page, "form.action-correct")
    item.refresh_from_db()
    assert item.original_due_at is not None and item.due_at > item.original_due_at
    expect(page.locator("[data-testid=history]")).to_contain_text("县里推迟检查")
    logout(page)

    login(page, "cadre002")
    open_page(page, "lists:inbox")
    expect(page.get_by_role("link", name="迎检材料补报")).to_be_visible()
    screenshot(page, "changes-of-hands-reassigned-inbox")


def test_a_stand_in_verifies_for_the_leader(browser_page, e2e_township):
    from lists import services
    from workflows.models import TransitionLog

    p, page = e2e_township, browser_page
    lst = published_list(p)
    item = lst.items.get()
    services.item_accept(item=item, actor=p.cadre)
    services.item_report_progress(item=item, actor=p.cadre, text="已完成")
    services.item_submit(item=item, actor=p.cadre, result="材料已报")

    login(page, "leader01")
    open_page(page, "delegations:index")
    today = timezone.localdate()
    page.select_option("[name=delegate]", str(p.other_leader.pk))
    page.fill("[name=starts_on]", today.isoformat())
    page.fill("[name=ends_on]", (today + dt.timedelta(days=3)).isoformat())
    page.fill("[name=reason]", "赴省委党校学习")
    press_in(page, "form.card")
    expect(page.get_by_role("button", name="撤销")).to_be_visible()
    logout(page)

    login(page, "leader02")
    open_page(page, "lists:inbox")
    row = page.locator(".inbox-row", has_text=f"代 {p.leader}").filter(has_text="月初事项")
    expect(row).to_be_visible()
    with page.expect_navigation():
        row.get_by_role("link", name="月初事项").click()
    expect(page.locator(".acting")).to_contain_text(str(p.leader))
    press_in(page, "form.action-verify")
    item.refresh_from_db()
    assert item.state == "completed"
    last = TransitionLog.objects.for_object(item).last()
    assert (last.actor, last.on_behalf_of) == (p.other_leader, p.leader)
    expect(page.locator("[data-testid=history]")).to_contain_text(f"（代 {p.leader}）")
    screenshot(page, "changes-of-hands-stand-in-verified")
    press_in(page, f"form[action='{reverse('delegations:stop')}']")
    expect(page.locator(".acting")).to_have_count(0)


def test_the_office_hands_a_leaving_cadres_work_over(browser_page, e2e_township):
    from organization.models import User

    p, page = e2e_township, browser_page
    lst = published_list(p)
    item = lst.items.get()
    login(page, "office01")
    open_page(page, "office_person", pk=p.cadre.pk)
    with page.expect_navigation():
        page.get_by_role("link", name="交接其未办结工作").click()
    expect(page.get_by_role("link", name="月初事项")).to_be_visible()
    page.select_option("[name=successor]", str(p.colleague.pk))
    page.fill("[name=reason]", "调往县委组织部")
    with page.expect_navigation():
        page.get_by_role("button", name="交接").click()
    item.refresh_from_db()
    assert item.assignee == p.colleague
    assert not User.objects.get(pk=p.cadre.pk).is_active
    assert any("交接" in question for question in page.confirmations)
    screenshot(page, "changes-of-hands-handed-over")
