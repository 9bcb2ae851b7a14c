"""Browser journeys on the server `make run` starts (``runembedded``), at a phone's and a desktop's size.

``embedded_server`` (a fixture of tests/e2e/conftest.py) starts ``runembedded`` over its own SQLite
database, migrated and seeded with the demo (what a fresh clone's ``make run`` serves). A
``Journey`` drives one or more people through it in Chromium; on every page it reaches it
collects what would make the page unfinished: a console error, a script error, a file of the
site (CSS, JavaScript, images, charts) that does not answer 200, a page that answers 500, and
the serious or critical accessibility violations axe-core finds (axe ships with the test
requirements: axe-playwright-python bundles it; nothing comes from a CDN). Each step is saved
as ``test-output/e2e/<journey>-<size>-<nn>-<step>.png``. ``Journey.finish()`` fails the test
with everything collected.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from tests.e2e.conftest import OUTPUT, TIMEOUT_MS

SIZES = {"phone": (390, 844), "desktop": (1366, 900)}
PASSWORD = "dutyflow-demo"


def serious_violations(violations: list[dict]) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v.get("impact") in {"serious", "critical"}
    ]


class Journey:
    """People of one journey, one after another, in one browser at one size."""

    def __init__(self, browser, base_url: str, size: str, name: str):
        from axe_playwright_python.sync_playwright import Axe

        self.browser, self.base_url, self.size, self.name = browser, base_url, size, name
        self.width, self.height = SIZES[size]
        self.problems: list[str] = []
        self.confirmations: list[str] = []
        self.axe = Axe()
        self.context = None
        self.page: Page | None = None
        self.step = 0
        self.host = urlsplit(base_url).netloc
        self.people: dict[str, str] = {}  # role in the journey -> username

    @property
    def phone(self) -> bool:
        return self.size == "phone"

    # -- people ---------------------------------------------------------------------------------
    def login(self, username: str) -> Page:
        """A fresh browser context (no cookies) logged in as ``username``; its home page."""
        self.close()
        self.context = self.browser.new_context(
            base_url=self.base_url, locale="zh-CN", viewport={"width": self.width, "height": self.height}
        )
        self.context.set_default_timeout(TIMEOUT_MS)
        page = self.page = self.context.new_page()
        page.on("console", lambda m: m.type == "error" and self._problem(f"console error: {m.text}"))
        page.on("pageerror", lambda e: self._problem(f"script error: {e}"))
        page.on("response", self._check_response)
        # Steps that cannot be undone ask first (data-confirm): people say yes; the questions are kept.
        page.on("dialog", lambda d: (self.confirmations.append(d.message), d.accept()))
        page.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        self.check(f"{username}-home")
        return page

    def login_as(self, role: str) -> Page:
        """Log in as the person who plays ``role`` in this journey (``self.people``)."""
        return self.login(self.people[role])

    def row(self, has):
        """The first row (a card on a phone) of the page's table that holds ``has`` (a locator)."""
        return self.page.locator("table.table tbody tr", has=has).first

    def close(self) -> None:
        if self.context is not None:
            self.context.close()
            self.context = self.page = None

    def _problem(self, text: str) -> None:
        where = self.page.url if self.page is not None else "?"
        self.problems.append(f"{text} (on {where})")

    def _check_response(self, response) -> None:
        parts = urlsplit(response.url)
        if parts.netloc != self.host:
            return
        if parts.path.startswith(("/static/", "/media/")) and response.status not in {200, 304}:
            self._problem(f"{parts.path} answered {response.status}")
        elif response.status >= 500:
            self._problem(f"{parts.path} answered {response.status}")

    # -- steps ----------------------------------------------------------------------------------
    def check(self, label: str, *, axe: bool = True) -> None:
        """The page as it stands: axe-core's serious and critical violations (unless ``axe`` is
        False), and a screenshot."""
        page = self.page
        page.wait_for_load_state("load")
        if axe:
            violations = self.axe.run(page).response["violations"]
            self.problems += [f"{page.url}: {v}" for v in serious_violations(violations)]
        self.step += 1
        OUTPUT.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^\w-]+", "_", label)
        page.screenshot(path=str(OUTPUT / f"{self.name}-{self.size}-{self.step:02d}-{slug}.png"), full_page=True)

    def readme_shot(self, name: str) -> None:
        """The screen as a person sees it (the viewport, not the whole page), saved as
        ``test-output/e2e/readme/<name>.png``: the README's pictures are copied from these."""
        folder = OUTPUT / "readme"
        folder.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(folder / f"{name}.png"))

    def menu(self, group: str, link: str) -> None:
        """Open a page from the menu as a person would: on a phone the 菜单 button, on a desktop
        the group's drop-down; then the link (its badge, if any, after the name)."""
        page = self.page
        if self.phone:
            page.get_by_role("button", name=re.compile("^菜单")).click()
        else:
            page.locator("button.navgroup-title", has_text=group).click()
        target = page.locator("#menu").get_by_role("link", name=re.compile(rf"^{re.escape(link)}(\s|$)"))
        with page.expect_navigation():
            target.first.click()
        self.check(link)

    def press(self, button, label: str | None = None) -> None:
        """Press a button or follow a link (a locator) and wait for the page it leads to."""
        with self.page.expect_navigation():
            button.click()
        if label:
            self.check(label)

    def expect_message(self, text: str) -> None:
        expect(self.page.locator(".messages")).to_contain_text(text)

    def finish(self) -> None:
        self.close()
        assert not self.problems, "\n".join(self.problems)
