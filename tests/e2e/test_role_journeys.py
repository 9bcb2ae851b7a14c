"""Every role's daily work, in Chromium, on the server `make run` starts, at 390×844 and 1366×900.

Each journey is what the role does on an ordinary day, through the pages and the menu as a
person would, on the demo data: a cadre accepts an item, reports progress, adds photos (an
iPhone's HEIC among them) and asks for 办结, and the leader verifies it from 待我审核; a cadre
registers a villager's problem with a photo, the dispatcher dispatches it, the handler accepts
and resolves it and the dispatcher's follow-up call closes it; a member submits a pledge and
the branch approves it; a commissioner acts on an overdue item; an observer files a finding;
the secretary reads the dashboard; the office opens its pages. The phone runs in 青山镇, the
desktop mostly in 白水镇, so that both townships are walked.

Every page reached is checked (``tests/e2e/embedded.py``): no console error, every file of the
site answers 200, no serious or critical axe-core violation; screenshots of every step are
saved under ``test-output/e2e/``.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.embedded import SIZES, Journey
from tests.photos import heic_bytes, scene_bytes

pytestmark = pytest.mark.e2e

# The people of each journey: 青山镇 on the phone, 白水镇 on the desktop (the secretaries the other
# way round).
PEOPLE = {
    "phone": {
        "cadre": "cadre001",
        "leader": "leader01",
        "handler": "cadre006",
        "member": "cadre002",
        "commissioner": "commissioner01",  # the township 纪委: demo cases this late are its (the ladder's level 2)
        "secretary": "bsecretary",
        "office": "office01",
    },
    "desktop": {
        "cadre": "bcadre001",
        "leader": "bleader01",
        "handler": "bcadre002",
        "member": "bcadre001",
        "commissioner": "bcommissioner01",
        "secretary": "secretary",  # 青山镇's dashboard has the more to show (the README's picture)
        "office": "boffice01",
    },
}


@pytest.fixture(params=sorted(SIZES))
def journey(request, browser, embedded_server):
    size = request.param
    name = request.node.originalname.removeprefix("test_")
    trip = Journey(browser, embedded_server, size, name)
    trip.people = PEOPLE[size]
    yield trip
    trip.close()


def test_cadre_carries_out_an_item_and_the_leader_verifies_it(journey):
    page = journey.login_as("cadre")
    journey.menu("我的工作", "我的任务")
    if journey.phone:
        journey.readme_shot("cadre-tasks-phone")
    card = journey.row(page.get_by_role("button", name="签收"))
    title = card.locator("a").first.inner_text()
    journey.press(card.get_by_role("button", name="签收"), "accepted")
    journey.expect_message("签收")
    journey.press(page.get_by_role("link", name=title, exact=True).first, "item")

    page.fill("[name=report_progress-text]", "已排查宣传栏三处，微信群两个")
    page.fill("[name=report_progress-percent]", "60")
    journey.press(page.locator("form.action-report_progress button[type=submit]"), "progress")
    expect(page.locator("[data-testid=progress]")).to_contain_text("已排查宣传栏三处")

    # An iPhone's photo (HEIC) from the camera and a picture from the gallery, at once.
    with page.expect_file_chooser() as chooser:
        page.get_by_text("选择文件").click()
    chooser.value.set_files(
        [
            {"name": "IMG_0001.HEIC", "mimeType": "image/heic", "buffer": heic_bytes((480, 360))},
            {"name": "宣传栏.png", "mimeType": "image/png", "buffer": scene_bytes((360, 480))},
        ]
    )
    expect(page.locator("#evidence-file-previews > *")).to_have_count(2)
    journey.press(page.locator("#evidence button[type=submit]"), "evidence")
    evidence = page.locator("#evidence")
    expect(evidence.get_by_text("IMG_0001.jpg", exact=True)).to_be_visible()
    expect(evidence.locator("img.thumb")).to_have_count(2)
    if journey.phone:
        page.evaluate("document.getElementById('evidence').scrollIntoView({block: 'start'})")
        journey.readme_shot("item-page-phone")

    page.fill("[name=submit-result]", "阵地排查完成，问题已整改，报告见附件")
    journey.press(page.locator("#submit button[type=submit]"), "submitted")
    expect(page.locator("h1 .state")).to_have_text("已申请办结")

    page = journey.login_as("leader")
    journey.menu("清单", "待我审核")
    row = journey.row(page.get_by_role("link", name=title, exact=True))
    item_url = row.get_by_role("link", name=title, exact=True).get_attribute("href")
    thumbs = row.locator("img.thumb")
    expect(thumbs).to_have_count(2)
    assert all(thumbs.nth(i).evaluate("img => img.complete && img.naturalWidth > 0") for i in range(2))
    journey.press(row.get_by_role("button", name="确认办结"), "verified")
    assert any("办结" in question for question in journey.confirmations)
    expect(page.get_by_role("link", name=title, exact=True)).to_have_count(0)

    # The leader looks over the item's monthly list: the verified item is 已办结 there.
    page.goto(item_url)
    journey.check("verified-item")
    journey.press(page.locator(".card table a[href^='/lists/']").first, "list")
    expect(journey.row(page.get_by_role("link", name=title, exact=True))).to_contain_text("已办结")
    if not journey.phone:
        journey.readme_shot("leader-list-desktop")
    journey.finish()


def issue_form(page, name: str):
    """The form of a work order's step ``name`` on its page."""
    return page.locator(f"#actions form[action$='/transitions/{name}/']")


def test_a_work_order_from_registration_to_the_follow_up_call(journey):
    title = {"phone": "东山村小学门口路面积水，雨天无法通行", "desktop": "白水村桥头护栏损坏，存在安全隐患"}[
        journey.size
    ]
    page = journey.login_as("cadre")
    journey.menu("民生", "登记问题")
    page.fill("[name=title]", title)
    page.fill("[name=description]", "村民走访时反映，已现场查看并拍照。")
    page.select_option("[name=place_unit]", index=1)
    page.fill("[name=reporter_name]", "王大伯")
    page.fill("[name=reporter_phone]", "13812345678")
    page.set_input_files(
        "[name=photo]", files=[{"name": "IMG_0002.HEIC", "mimeType": "image/heic", "buffer": heic_bytes((480, 360))}]
    )
    journey.press(page.get_by_role("button", name="登记", exact=True), "registered")
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    photo = page.get_by_role("img", name="IMG_0002.jpg")
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth > 0")

    page = journey.login_as("leader")  # the township's dispatcher
    journey.menu("民生", "派单台")
    row = journey.row(page.get_by_role("link", name=title, exact=True))
    journey.press(row.get_by_role("link", name="派单"), "to-dispatch")
    dispatch = issue_form(page, "dispatch")
    handler = dispatch.locator("option", has_text=f"({journey.people['handler']})").first
    dispatch.locator("select[name=membership]").select_option(handler.get_attribute("value"))
    journey.press(dispatch.get_by_role("button", name="派单"), "dispatched")
    journey.expect_message("派单")

    page = journey.login_as("handler")
    journey.menu("民生", "我的工单")
    row = journey.row(page.get_by_role("link", name=title, exact=True))
    journey.press(row.get_by_role("link", name="办理"), "to-handle")
    journey.press(issue_form(page, "accept").get_by_role("button"), "accepted")
    progress = issue_form(page, "report_progress")
    progress.locator("[name=text]").fill("已联系村委会，明日施工")
    journey.press(progress.get_by_role("button"), "progress")
    resolve = issue_form(page, "resolve")
    resolve.locator("[name=result]").fill("已疏通排水沟并修补路面")
    resolve.locator("[name=resolution]").select_option("substantive")
    journey.press(resolve.get_by_role("button"), "resolved")
    expect(page.locator("table.table .state").first).to_have_text("已办结")

    page = journey.login_as("leader")
    journey.menu("民生", "回访")
    row = journey.row(page.get_by_role("link", name=title, exact=True))
    journey.press(row.get_by_role("link", name="回访"), "to-call")
    call = issue_form(page, "follow_up")
    call.locator("[name=satisfaction]").select_option("satisfied")
    call.locator("[name=note]").fill("电话回访，王大伯表示满意")
    journey.press(call.get_by_role("button"), "closed")
    expect(page.locator("table.table .state").first).to_have_text("已归档")
    journey.finish()


def test_a_member_submits_a_pledge_and_the_branch_approves_it(journey):
    page = journey.login_as("member")
    journey.menu("承诺", "我的承诺")
    draft = journey.row(page.locator(".state", has_text="草稿"))
    text = draft.locator("a").first.inner_text()
    journey.press(draft.locator("a").first, "pledge")
    journey.press(page.get_by_role("button", name="提交承诺"), "submitted")
    expect(page.locator("dd .state")).to_have_text("待审核")

    page = journey.login_as("leader")
    journey.menu("承诺", "承诺审核")
    journey.press(page.get_by_role("link", name=text, exact=True), "to-review")
    journey.press(page.get_by_role("button", name="审核通过并公示"), "approved")
    assert any("公示" in question for question in journey.confirmations)
    expect(page.locator("dd .state")).to_have_text("已公示")
    journey.finish()


def test_a_commissioner_acts_on_an_overdue_item(journey):
    action, label, note = {
        "phone": ("reminder", "提醒", "请于本周内办结并报送材料"),
        "desktop": ("yellow_card", "黄牌", "逾期未办结，限三日内整改"),
    }[journey.size]
    page = journey.login_as("commissioner")
    journey.menu("督办", "逾期待审")
    journey.press(page.locator("table.table tbody tr a[href*='/supervision/cases/']").first, "case")
    act = page.locator("form[action$='/act/']")
    act.locator("[name=action]").select_option(action)
    act.locator("[name=note]").fill(note)
    journey.press(act.get_by_role("button", name="记录措施"), "acted")
    actions = page.locator("[data-testid=case-actions]")
    expect(actions).to_contain_text(label)
    expect(actions).to_contain_text(note)
    assert (action == "yellow_card") == any("黄牌" in question for question in journey.confirmations)
    journey.finish()


def test_an_observer_files_a_finding(journey):
    title = {"phone": "主题党日签到表代签", "desktop": "便民服务中心窗口午休无人值守"}[journey.size]
    page = journey.login("observer01")
    journey.menu("组织生活", "观察员发现")
    form = page.locator("form.pl-form")
    form.locator("[name=unit]").select_option(index=1)
    form.locator("[name=title]").fill(title)
    form.locator("[name=description]").fill("现场查看发现，已拍照留存，请纪工委核实。")
    journey.press(form.get_by_role("button", name="提交"), "filed")
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    journey.expect_message("已通知纪检委员")
    journey.finish()


def charts_drawn(page) -> list[str]:
    """The ids of the dashboard's charts that Chart.js has drawn."""
    return page.evaluate(
        "() => Array.from(document.querySelectorAll('canvas')).filter(c => window.Chart && Chart.getChart(c)).map(c => c.id)"
    )


def test_the_secretary_reads_the_dashboard(journey):
    page = journey.login_as("secretary")
    journey.menu("绩效考核", "季度绩效考核")
    expect(page.locator("#ranking table.table tbody tr").first).to_be_visible()
    assert set(charts_drawn(page)) >= {"chart-ranking", "chart-trend", "chart-warnings"}
    if not journey.phone:
        journey.readme_shot("dashboard-desktop")
    page.select_option("[name=quarter]", "3")
    journey.press(page.locator("#period-form button[type=submit]"), "third-quarter")
    expect(page.locator("h1 small")).to_contain_text("第3季度")
    assert "chart-trend" in charts_drawn(page)
    excel = page.get_by_role("link", name="导出Excel")
    response = page.request.get(excel.get_attribute("href"))
    assert response.status == 200 and "spreadsheetml" in response.headers["content-type"]
    journey.menu("督办", "预警总览")
    expect(page.locator("table.table tbody tr").first).to_be_visible()
    journey.finish()


def test_the_office_opens_its_pages(journey):
    page = journey.login_as("office")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    journey.menu("系统管理", "党政办")
    links = page.locator(".content a[href^='/office/']")
    assert links.count() > 2
    journey.press(links.first, "office-page")
    journey.finish()
