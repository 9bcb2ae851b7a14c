"""The two journeys of DESIGN.md in a real browser: a list from creation to a verified item,
and a commissioner's yellow card on an escalated overdue item."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.journeys import login, logout, open_page, screenshot

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def press_in(page: Page, form: str) -> None:
    """Press the submit button of the form matched by the CSS selector ``form``; wait for the page."""
    with page.expect_navigation():
        page.locator(f"{form} button[type=submit]").first.click()


def action_form(name: str) -> str:
    return f"form.action-{name}"


def test_list_from_creation_to_a_verified_item(browser_page, e2e_township):
    from lists.models import ResponsibilityItem, ResponsibilityList

    p, page = e2e_township, browser_page
    month = timezone.localdate().strftime("%Y-%m")
    login(page, "leader01")
    open_page(page, "lists:list-index")
    create = f"form[action='{reverse('lists:list-create')}']"
    page.select_option(f"{create} [name=unit]", str(p.branch.pk))
    page.fill(f"{create} [name=month]", month)
    page.fill(f"{create} [name=title]", "本月责任清单")
    press_in(page, create)
    lst = ResponsibilityList.objects.get(unit=p.branch, title="本月责任清单")

    open_page(page, "lists:item-create", pk=lst.pk)
    due = (timezone.localtime() + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    page.fill("[name=title]", "组织主题党日活动")
    page.fill("[name=standard]", "召开并形成会议记录")
    page.select_option("[name=assignee]", str(p.cadre.pk))
    page.select_option("[name=lead_leader]", str(p.leader.pk))
    page.fill("[name=due_at]", due)
    with page.expect_navigation():
        page.locator("form[method=post] button[type=submit]:not([name])").last.click()
    item = ResponsibilityItem.objects.get(list=lst, title="组织主题党日活动")
    open_page(page, "lists:list-detail", pk=lst.pk)
    press_in(page, f"form[action='{reverse('lists:list-publish', args=[lst.pk])}']")
    lst.refresh_from_db()
    assert lst.state == "published"
    logout(page)

    login(page, "cadre001")
    open_page(page, "lists:item-detail", pk=item.pk)
    press_in(page, action_form("accept"))
    page.fill("[name=report_progress-text]", "已发通知，议程拟定")
    page.fill("[name=report_progress-percent]", "50")
    press_in(page, action_form("report_progress"))
    evidence_form = f"form[action='{reverse('lists:item-evidence', args=[item.pk])}']"
    page.set_input_files(
        f"{evidence_form} #evidence-files",
        files=[{"name": "会议记录.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    press_in(page, evidence_form)
    expect(page.get_by_role("link", name="会议记录.pdf")).to_be_visible()
    page.fill("[name=submit-result]", "活动已开展，记录见附件")
    press_in(page, action_form("submit"))
    logout(page)

    login(page, "leader01")
    open_page(page, "lists:item-detail", pk=item.pk)
    press_in(page, action_form("verify"))
    item.refresh_from_db()
    assert item.state == "completed"
    expect(page.locator("[data-testid=history]")).to_contain_text("已申请办结 → 已办结")
    screenshot(page, "list-journey-item-completed")


def test_commissioner_gives_a_yellow_card_on_an_escalated_item(browser_page, e2e_township):
    from supervision.models import SupervisionCase as Case
    from tests.matrix import published_item
    from workflows.sweep import sweep_deadlines

    p, page = e2e_township, browser_page
    with time_machine.travel(timezone.now() - dt.timedelta(days=40), tick=False):
        item = published_item(p)  # due 30 days ago
    sweep_deadlines(as_of=timezone.now())
    case = Case.objects.get(object_id=item.pk, subject_type="item")

    # Thirty days overdue: the ladder's level 2 handed the case to the township discipline committee.
    assert case.responsible.unit.code == "township" and case.for_committee_meeting
    login(page, "commissioner01")
    open_page(page, "supervision:queue")
    with page.expect_navigation():
        page.locator(f"a[href='{reverse('supervision:case-detail', args=[case.pk])}']").click()
    act = f"form[action='{reverse('supervision:case-act', args=[case.pk])}']"
    page.select_option(f"{act} [name=action]", "yellow_card")
    page.fill(f"{act} [name=note]", "逾期未办结，限三日内整改")
    press_in(page, act)
    actions = page.locator("[data-testid=case-actions]")
    expect(actions).to_contain_text("黄牌")
    expect(actions).to_contain_text("逾期未办结，限三日内整改")
    assert case.actions.get().action == "yellow_card"
    screenshot(page, "supervision-journey-yellow-card")
