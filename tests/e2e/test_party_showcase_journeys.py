"""A branch's quarter in the browser: a member posts on the showcase from a phone-sized window
with a photo, the branch nominates, the committee selects; the 三会一课 obligations page; the
quarter's dashboard with the Party-building figures and their weights."""

import io

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.journeys import login, logout, open_page, screenshot

pytestmark = pytest.mark.e2e


def photo_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "crimson").save(out, "JPEG")
    return out.getvalue()


def test_a_showcase_post_nominated_and_selected(browser_page, e2e_township):
    from partylife.models import Honour, ShowcasePost

    p, page = e2e_township, browser_page
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    login(page, "cadre001")
    page.goto(f"/party/showcase/?unit={p.branch.pk}")
    post = "#new-post form"
    page.fill(f"{post} [name=title]", "带头化解邻里纠纷")
    page.fill(f"{post} [name=text]", "牵头调解3起邻里纠纷，全部达成和解。")
    page.set_input_files(
        f"{post} [name=photos]", files=[{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}]
    )
    with page.expect_navigation():
        page.locator(f"{post} button[type=submit]").click()
    expect(page.locator("#posts")).to_contain_text("带头化解邻里纠纷")
    expect(page.locator("#posts img")).to_have_count(1)
    screenshot(page, "party-showcase-posted-on-a-phone")
    page.context.clear_cookies()  # the phone's menu folds the log-out button away: a new session

    login(page, "cadre003")  # 支部委员
    page.goto(f"/party/showcase/?unit={p.branch.pk}")
    page.fill("#posts [name=reason]", "事迹具体、群众认可")
    with page.expect_navigation():
        page.locator("#posts form button[type=submit]").first.click()
    expect(page.locator("#posts")).to_contain_text("事迹具体、群众认可")
    page.context.clear_cookies()

    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, "secretary")
    page.goto(f"/party/showcase/?unit={p.branch.pk}")
    with page.expect_navigation():
        page.locator("#posts form button[type=submit]").first.click()
    expect(page.locator("#honours")).to_contain_text(p.cadre.display_name or "cadre001")
    screenshot(page, "party-showcase-selected-vanguard")
    assert ShowcasePost.objects.get().state == "selected"
    assert Honour.objects.get().kind == "vanguard"


def test_the_obligations_and_the_quarters_party_building_on_the_dashboard(browser_page, e2e_township):
    from partylife.obligations import obligations_open

    page = browser_page
    obligations_open(as_of=timezone.now())
    login(page, "leader01")
    open_page(page, "partylife:obligation-index")
    expect(page.locator("h1")).to_contain_text("三会一课")
    screenshot(page, "party-obligations")
    logout(page)
    login(page, "secretary")
    today = timezone.localdate()
    page.goto(f"/reports/?year={today.year}&quarter={(today.month - 1) // 3 + 1}")
    section = page.locator("#party-building")
    expect(section).to_contain_text("三会一课按频次召开率")
    expect(page.locator("#chart-party-building")).to_be_visible()
    screenshot(page, "party-dashboard-party-building")
