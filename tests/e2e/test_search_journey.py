"""Search in a real browser, on the server `make run` starts, at a phone's size (390×844): a cadre
of 青山镇 types a Chinese substring in the header's search box (in the 菜单 drawer) and opens an item from the results;
a leader of 白水镇 searching the same word finds 白水镇's item of that title, never 青山镇's.

The demo gives branch 01 (青山镇) and bs-branch01 (白水镇) the same monthly items; cadre001 carries
意识形态阵地排查 in branch 01. Every page is checked (tests/e2e/embedded.py: console errors,
files that do not answer 200, serious axe-core violations) and photographed under test-output/e2e/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.embedded import Journey

pytestmark = pytest.mark.e2e

WORD = "阵地排查"  # a substring of 意识形态阵地排查


def search_from_header(trip: Journey, word: str) -> list[str]:
    """Type ``word`` in the header's search box (on a phone it sits in the 菜单 drawer), press
    Enter; the result links' addresses."""
    page = trip.page
    page.get_by_role("button", name=re.compile("^菜单")).click()
    box = page.locator("header form.header-search input[name=q]")
    expect(box).to_be_visible()
    box.fill(word)
    with page.expect_navigation():
        box.press("Enter")
    expect(page.locator("h1")).to_have_text("搜索")
    trip.check(f"results-{word}")
    return page.locator("main section.card li.card-row a").evaluate_all("links => links.map(a => a.pathname)")


def test_a_cadre_finds_an_item_by_a_chinese_substring_and_the_other_township_does_not(browser, embedded_server):
    trip = Journey(browser, embedded_server, "phone", "search")
    try:
        page = trip.login("cadre001")
        found = search_from_header(trip, WORD)
        assert found and all(path.startswith("/lists/items/") for path in found), found
        first = page.locator("main section.card li.card-row a").first
        title = first.inner_text()
        assert WORD in title
        with page.expect_navigation():
            first.click()
        assert page.url.endswith(found[0]) or found[0] in page.url
        expect(page.locator("h1")).to_contain_text(title)
        trip.check("item-opened")

        trip.login("bleader01")
        theirs = search_from_header(trip, WORD)
        assert theirs, "白水镇 has its own item of that title"
        assert not set(theirs) & set(found), "白水镇's leader must not find 青山镇's item"
        trip.finish()
    finally:
        trip.close()
