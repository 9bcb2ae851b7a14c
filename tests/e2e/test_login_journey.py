"""The first journey: the township secretary logs in, reads home in Chinese, switches to English, logs out."""

import pytest
from playwright.sync_api import expect

from tests.e2e.journeys import login, logout, screenshot, switch_language

pytestmark = pytest.mark.e2e


def test_secretary_logs_in_switches_to_english_and_logs_out(browser_page):
    page = browser_page
    login(page, "secretary")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("body")).to_contain_text("青山镇")
    expect(page.locator("select[name=language]")).to_have_value("zh-hans")
    screenshot(page, "secretary-home-zh")

    switch_language(page, "en")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    screenshot(page, "secretary-home-en")

    logout(page)
    expect(page.get_by_role("heading", name="Log in to Dutyflow")).to_be_visible()


def test_wrong_password_keeps_the_user_on_the_login_page(browser_page):
    page = browser_page
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "leader01")
    page.fill("input[name=password]", "not-the-password")
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    expect(page.locator(".errors")).to_be_visible()
    expect(page.locator("input[name=username]")).to_have_value("leader01")
