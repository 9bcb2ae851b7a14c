"""The office sets up WeCom and links a cadre; the cadre signs in through the (fake) WeCom QR
page; a member nobody linked is refused with a clear page."""

import pytest
from playwright.sync_api import expect

from connect.models import AccountLink, VendorApp
from tests.connect.conftest import fake  # noqa: F401  (the fixture: the local fake, settings pointed at it)
from tests.e2e.journeys import login, logout, screenshot

pytestmark = pytest.mark.e2e


def test_office_sets_up_wecom_and_a_cadre_signs_in_with_it(browser_page, fake, e2e_township):  # noqa: F811
    page = browser_page
    login(page, "office01")
    page.goto("/office/connect/")
    expect(page.get_by_role("heading", name="企业微信和钉钉 · 青山镇")).to_be_visible()
    panel = page.locator("#app-wecom")
    panel.get_by_label("企业ID（CorpId）").fill(fake.WECOM_CORP_ID)
    panel.get_by_label("应用AgentId").fill(fake.WECOM_AGENT_ID)
    panel.get_by_label("应用Secret").fill(fake.WECOM_SECRET)
    panel.get_by_label("原因").fill("开通企业微信登录")
    panel.get_by_role("button", name="保存").click()
    expect(page.locator("body")).to_contain_text("Secret 已存储")
    expect(page.locator("#app-wecom")).to_contain_text("已开通")
    assert fake.WECOM_SECRET not in page.content()
    assert VendorApp.objects.get(provider="wecom").is_configured

    links = page.locator("#links")
    cadre = e2e_township.cadre
    links.get_by_label("人员").select_option(label=f"{cadre} (cadre001)")
    links.locator("select[name=provider]").select_option("wecom")
    links.get_by_label("平台账号（UserId）").fill("zhangsan")
    links.get_by_label("原因").fill("对应企业微信账号")
    links.get_by_role("button", name="关联", exact=True).click()
    expect(page.locator("#links")).to_contain_text("zhangsan")
    assert AccountLink.objects.get(external_id="zhangsan").user.username == "cadre001"
    screenshot(page, "connect-office-set-up")
    logout(page)

    page.get_by_role("link", name="企业微信登录 · 青山镇").click()
    expect(page.get_by_role("heading", name="企业微信扫码登录")).to_be_visible()
    page.get_by_role("link", name="扫码确认：zhangsan").click()
    page.wait_for_url(lambda url: "/connect/" not in url and fake.url not in url)
    expect(page.get_by_role("button", name="退出")).to_be_visible()
    expect(page.locator("body")).to_contain_text(str(cadre))
    screenshot(page, "connect-signed-in-with-wecom")
    logout(page)

    page.get_by_role("link", name="企业微信登录 · 青山镇").click()
    page.get_by_role("link", name="扫码确认：lisi").click()
    expect(page.get_by_role("heading", name="登录被拒绝")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("未关联")
