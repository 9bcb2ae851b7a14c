"""Journeys over the pages that exist now: an item's page with its history, and a locked login."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.journeys import login, open_page, screenshot
from tests.matrix import published_item

pytestmark = pytest.mark.e2e


def test_leader_reads_an_items_history(browser_page, e2e_township):
    item = published_item(e2e_township)
    page = browser_page
    login(page, "leader01")
    open_page(page, "lists:item-detail", pk=item.pk)
    expect(page.get_by_role("heading", name="主题党日")).to_be_visible()
    expect(page.locator("[data-testid=history] li")).to_have_count(1)
    expect(page.locator("[data-testid=history]")).to_contain_text("已派发")  # the "assign" step, in Chinese
    screenshot(page, "leader-item-history")


def test_cadre_of_another_branch_cannot_open_the_item(browser_page, e2e_township):
    item = published_item(e2e_township)
    page = browser_page
    login(page, "cadre006")
    response = page.goto(reverse("lists:item-detail", kwargs={"pk": item.pk}))
    assert response.status == 404


def test_sixth_wrong_password_shows_the_lockout_page_in_chinese(browser_page):
    page = browser_page
    for _ in range(6):
        page.goto("/accounts/login/")
        page.fill("input[name=username]", "cadre001")
        page.fill("input[name=password]", "not-the-password")
        page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
        page.wait_for_load_state()
    expect(page.get_by_role("alert")).to_contain_text("登录失败次数过多")
    expect(page.get_by_role("heading", name="账号已锁定")).to_be_visible()
