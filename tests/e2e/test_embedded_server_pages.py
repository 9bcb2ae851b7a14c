"""Every role's main pages, on the server `make run` starts, at a phone's and a desktop's size.

The server is ``runembedded`` in a subprocess over its own SQLite database (migrate, seed_demo:
what a fresh clone's ``make run`` serves). Each persona logs in, opens the home page and every
page of the menu; the test fails on any asset that does not answer 200, on any console error,
and on any serious or critical accessibility violation found by axe-core (shipped with the test
requirements: axe-playwright-python bundles it, nothing comes from a CDN). A screenshot of
each page is saved under ``test-output/e2e/`` (``pages-<persona>-<size>-<nn>-<page>.png``).
``tests/e2e/test_role_journeys.py`` does each role's daily work on the same server.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import OUTPUT
from tests.e2e.embedded import SIZES, Journey

pytestmark = pytest.mark.e2e

# One persona per role of DESIGN.md, from both townships.
PERSONAS = ["cadre001", "leader01", "secretary", "commissioner02", "observer01", "bcadre001", "bleader01"]
# (size, path) that axe has checked in this session: a page drawn from the same template for
# another persona is loaded, watched and photographed again, but axe runs on it once per size
# (every persona's home page, where roles differ most, is checked at login).
AXED: set[tuple[str, str]] = set()


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("username", PERSONAS)
def test_main_pages_load_every_asset_and_pass_axe(browser, embedded_server, username, size):
    trip = Journey(browser, embedded_server, size, f"pages-{username}")
    page = trip.login(username)
    links = page.eval_on_selector_all("#menu nav a", "links => links.map(a => a.getAttribute('href'))")
    paths = list(
        dict.fromkeys(link for link in links if link.startswith("/") and link != "/" and "/admin/" not in link)
    )
    assert len(paths) > 4, paths
    for path in paths:
        response = page.goto(path)
        if response.status != 200:
            trip.problems.append(f"{path} answered {response.status}")
            continue
        trip.check(re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_") or "home", axe=(size, path) not in AXED)
        AXED.add((size, path))
    if trip.phone:
        # the menu opens from its button and shows the groups
        page.goto("/")
        page.get_by_role("button", name=re.compile("菜单")).click()
        assert page.locator("#menu").is_visible()
        page.screenshot(path=str(OUTPUT / f"pages-{username}-{size}-menu.png"))
    trip.finish()
