"""Browser harness: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Fixtures: ``browser`` (one headless Chromium per session), ``e2e_township`` (the demo
township in the live server's database) and ``browser_page`` (a fresh context and page on
the live server; a full-page screenshot of where the journey ended is saved as
``test-output/e2e/<test name>.png``). Helpers for journeys live in ``tests/e2e/journeys.py``.

``embedded_server`` is the server `make run` starts: ``runembedded`` in a subprocess over its own
SQLite database, migrated and seeded with the demo, once per session (the role journeys of
``tests/e2e/embedded.py`` run on it). ``DUTYFLOW_E2E_SERVER=http://127.0.0.1:8000`` runs them
against a demo that is already running instead (they change its data).
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import require_service

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
# database access from the test body and the fixtures ("async context").
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent.parent
SERVER_START_S = 60
OUTPUT = ROOT / "test-output" / "e2e"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 20_000


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        require_service(f"Chromium at {CHROMIUM} (make browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def e2e_township(transactional_db):
    """The demo township, committed so that the live server's threads see it."""
    from organization.demo import seed_organization
    from tests.personas import Personas

    seed_organization()
    return Personas()


@pytest.fixture
def browser_page(browser, live_server, e2e_township, request):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    # the browser reports what the Content-Security-Policy blocked on the console
    blocked = []
    page.on("console", lambda message: "Content Security Policy" in message.text and blocked.append(message.text))
    # Steps that cannot be undone ask first (data-confirm): the journeys say yes and keep the
    # questions, so a journey can check what it was asked.
    page.confirmations = []
    page.on("dialog", lambda dialog: (page.confirmations.append(dialog.message), dialog.accept()))
    yield page
    OUTPUT.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)
    context.close()
    assert blocked == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def embedded_server(tmp_path_factory):
    """``make run``'s server: runembedded, SQLite, Celery tasks in-process, the demo seeded."""
    if os.environ.get("DUTYFLOW_E2E_SERVER"):
        yield os.environ["DUTYFLOW_E2E_SERVER"].rstrip("/")
        return
    folder = tmp_path_factory.mktemp("embedded")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env["DATABASE_URL"] = f"sqlite:///{folder / 'dutyflow.sqlite3'}"
    env["MEDIA_ROOT"] = str(folder / "media")  # the journeys' uploads stay out of the checkout
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=600)
    port = _free_port()
    log = (folder / "server.log").open("w")
    server = subprocess.Popen(
        manage + ["runembedded", f"127.0.0.1:{port}", "--noreload"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            try:
                if urllib.request.urlopen(url + "/healthz", timeout=2).status == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("runembedded did not answer /healthz: " + (folder / "server.log").read_text()[-2000:])
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
