"""Every role's main pages, on the server `make run` starts, at a phone's and a desktop's size.

The server is ``runembedded`` in a subprocess over its own SQLite database (migrate, seed_demo:
what a fresh clone's ``make run`` serves). Each persona logs in, opens the home page and every
page of the menu; the test fails on any asset that does not answer 200, on any console error,
and on any serious or critical accessibility violation found by axe-core (shipped with the test
requirements: axe-playwright-python bundles it, nothing comes from a CDN). A screenshot of
each page is saved under ``test-output/e2e/``.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import OUTPUT, TIMEOUT_MS
from tests.e2e.embedded import PASSWORD, SIZES, serious_violations

pytestmark = pytest.mark.e2e

# One persona per role of DESIGN.md, from both townships.
PERSONAS = ["cadre001", "leader01", "secretary", "commissioner02", "observer01", "bcadre001", "bleader01"]


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("username", PERSONAS)
def test_main_pages_load_every_asset_and_pass_axe(browser, embedded_server, username, size):
    from axe_playwright_python.sync_playwright import Axe

    width, height = SIZES[size]
    context = browser.new_context(base_url=embedded_server, locale="zh-CN", viewport={"width": width, "height": height})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console error on {page.url}: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"script error on {page.url}: {e}"))
    page.on(
        "response",
        lambda r: (
            "/static/" in r.url and r.status not in {200, 304} and problems.append(f"{r.url} answered {r.status}")
        ),
    )
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    links = page.eval_on_selector_all("#menu nav a", "links => links.map(a => a.getAttribute('href'))")
    paths = list(dict.fromkeys(["/"] + [link for link in links if link.startswith("/") and "/admin/" not in link]))
    assert len(paths) > 4, paths
    axe = Axe()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for path in paths:
        response = page.goto(path)
        if response.status != 200:
            problems.append(f"{path} answered {response.status}")
            continue
        page.wait_for_load_state("load")
        problems += [f"{path}: {v}" for v in serious_violations(axe.run(page).response["violations"])]
        slug = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_") or "home"
        page.screenshot(path=str(OUTPUT / f"{username}-{size}-{slug}.png"), full_page=True)
    if size == "phone":
        # the menu opens from its button and shows the groups
        page.goto("/")
        page.get_by_role("button", name=re.compile("菜单")).click()
        assert page.locator("#menu").is_visible()
        page.screenshot(path=str(OUTPUT / f"{username}-{size}-menu.png"))
    context.close()
    assert not problems, "\n".join(problems)
