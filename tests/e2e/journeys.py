"""Steps that browser journeys are written with, so that a journey reads like the user's day.

Every step waits for the page it leads to; none sleeps. Pages are addressed by URL name
(``reverse``) and elements by label, role or form field name, never by layout.

The journeys of the responsibility lists (a leader publishes a list, a cadre accepts and
submits with evidence, the leader verifies; a commissioner gives a yellow card) are written
with ``login``, ``open_page``, ``fill_form``, ``press`` and ``take_transition`` once those
pages exist: a journey opens the page by URL name, fills the form by field name, presses the
button by its visible label and checks the state shown on the item page.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.urls import reverse
from playwright.sync_api import Page, expect

PASSWORD = "dutyflow-demo"
OUTPUT = Path(__file__).resolve().parent.parent.parent / "test-output" / "e2e"


def login(page: Page, username: str, password: str = PASSWORD) -> None:
    """Log in through the login page and wait for the page it leads to."""
    page.goto(reverse("login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def logout(page: Page) -> None:
    """Press the log-out button in the top bar; the login page follows."""
    page.locator(f"form[action='{reverse('logout')}'] button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(reverse("login")) + r"$"))


def switch_language(page: Page, code: str) -> None:
    """Choose a language in the top bar (``"en"`` or ``"zh-hans"``); the same page reloads in it."""
    with page.expect_navigation():
        page.select_option("select[name=language]", code)
    expect(page.locator("html")).to_have_attribute("lang", code)


def open_page(page: Page, url_name: str, **kwargs) -> None:
    """Open a page by its URL name (``open_page(page, "lists:item-detail", pk=item.pk)``)."""
    page.goto(reverse(url_name, kwargs=kwargs or None))


def fill_form(page: Page, **fields: str) -> None:
    """Fill form fields by their ``name`` attribute (``fill_form(page, title="…", standard="…")``)."""
    for name, value in fields.items():
        page.fill(f"[name={name}]", value)


def press(page: Page, label: str) -> None:
    """Press the button (or submit input) whose visible label is ``label``, and wait for the page."""
    with page.expect_navigation():
        page.get_by_role("button", name=label, exact=True).click()


def take_transition(page: Page, label: str, **fields: str) -> None:
    """On an object's page, fill the transition's fields (if any) and press its button."""
    fill_form(page, **fields)
    press(page, label)


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot of a step as ``test-output/e2e/<name>.png``."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
