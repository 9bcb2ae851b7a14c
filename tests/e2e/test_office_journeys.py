"""The township office in a real browser: it changes an item template's cadence (with its
reason, shown in the change history), and a print page downloads as a PDF."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.journeys import login, open_page, press, screenshot

pytestmark = pytest.mark.e2e


def test_the_office_changes_a_templates_cadence(browser_page, e2e_township):
    from lists.models import RecurringItemTemplate
    from organization.models import AdministrativeChange

    p, page = e2e_township, browser_page
    template = RecurringItemTemplate.objects.create(
        unit=p.branch, title="每月主题党日", standard="有方案有记录", due_day=25
    )
    login(page, "office01")
    open_page(page, "office_templates")
    expect(page.get_by_role("link", name="每月主题党日")).to_be_visible()
    page.get_by_role("link", name="每月主题党日").click()
    page.wait_for_url(f"**{reverse('office_template', args=[template.pk])}*")
    page.select_option("[name=cadence]", "quarterly")
    page.fill("[name=period_month]", "3")
    page.fill("[name=due_day]", "20")
    page.fill("form:has([name=cadence]) [name=reason]", "改为每季度末开展")
    press(page, "保存模板")
    expect(page.locator(".msg").first).to_contain_text("事项模板已保存")
    expect(page.locator("main")).to_contain_text("每季度第3个月")
    expect(page.locator(".changes")).to_contain_text("改为每季度末开展")
    screenshot(page, "office_template_cadence")
    template.refresh_from_db()
    assert (template.cadence, template.period_month, template.due_day) == ("quarterly", 3, 20)
    assert AdministrativeChange.objects.get(action="template_update").actor.username == "office01"


def test_a_printed_list_downloads_as_a_pdf(browser_page, e2e_township):
    from tests.matrix import published_list

    lst = published_list(e2e_township)
    page = browser_page
    login(page, "leader01")
    open_page(page, "lists:list-print", pk=lst.pk)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载PDF").click()
    path = download.value.path()
    with open(path, "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert download.value.suggested_filename.endswith(".pdf")
