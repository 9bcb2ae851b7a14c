"""Every page a persona can reach from their home page and menu answers, in Chinese.

The demo (``seed_demo``: both townships with their lists, pledges and work orders) is seeded
once; then, for every persona of tests/personas.py, the crawler follows the links of the home
page and the menu, and the links of those pages in turn (two clicks deep), in zh-Hans. It
fails on any link that answers 403 or 404 (a page should not offer what it refuses), on any
500, and on English words left on a page outside a short allowlist (file formats, the API).
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from tests.personas import Personas

pytestmark = pytest.mark.django_db

# Words that are the same in Chinese pages: file formats, the API, units of measure.
ALLOWED_WORDS = {
    "excel",
    "xlsx",
    "pdf",
    "api",
    "id",
    "json",
    "csv",
    "url",
    "jpeg",
    "jpg",
    "png",
    "heic",
    "ok",
    "english",
    "word",
    "docx",
    "txt",
    "xls",
    # WeCom / DingTalk console field names, shown as the consoles name them (企业ID CorpId …)
    "corpid",
    "agentid",
    "appkey",
    "client",
    "secret",
    "userid",
}
# Links not followed: another application (admin), downloads, language switch, the API.
SKIPPED = re.compile(
    r"^/(admin/|api/|i18n/|static/|media/|accounts/logout)|\.(xlsx|pdf|csv|json)$|/download/|/photos/\d+/$"
)
MAX_DEPTH = 2
SAME_SHAPE_LIMIT = 2  # visit at most this many pages of one URL shape (/lists/items/<n>/)
ENGLISH = re.compile(r"[A-Za-z][A-Za-z0-9_'’-]{2,}")  # a token with digits (cadre001) is an account name or a code


class PageText(HTMLParser):
    """The words a person reads on a page (text, titles, labels, placeholders) and its links."""

    def __init__(self):
        super().__init__()
        self.words: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {"script", "style", "code", "pre"}:
            self._skip += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in ("title", "aria-label", "placeholder", "alt"):
            if attrs.get(name):
                self.words.append(attrs[name])
        if tag == "input" and attrs.get("type") in {"submit", "button"} and attrs.get("value"):
            self.words.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in {"script", "style", "code", "pre"} and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.words.append(data.strip())


def english_words(texts: list[str]) -> set[str]:
    found = set()
    for text in texts:
        for word in ENGLISH.findall(text):
            if word.lower() not in ALLOWED_WORDS and not re.search(r"\d", word):
                found.add(word)
    return found


def shape(path: str) -> str:
    return re.sub(r"\d+", "<n>", path)


def crawl(client: Client, usernames: set[str]) -> list[str]:
    """Problems met on the pages reachable from the home page, two clicks deep."""
    problems: list[str] = []
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    queue = deque([("/", 0, "login")])
    while queue:
        path, depth, came_from = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
        if response.status_code in {301, 302}:
            continue
        if response.status_code != 200:
            problems.append(f"{path} answered {response.status_code} (linked from {came_from})")
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        page = PageText()
        page.feed(response.content.decode())
        english = english_words(page.words) - usernames
        if english:
            problems.append(f"{path}: English words {sorted(english)[:12]}")
        if depth >= MAX_DEPTH:
            continue
        for href in page.links:
            link = urldefrag(href)[0]
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path.startswith("/") or SKIPPED.search(parts.path):
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if link in seen:
                continue
            key = shape(parts.path)
            if shapes.get(key, 0) >= SAME_SHAPE_LIMIT:
                continue
            shapes[key] = shapes.get(key, 0) + 1
            queue.append((link, depth + 1, path))
    return problems


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=StringIO())
    return Personas()


def test_every_page_reachable_from_each_persona_answers_in_chinese(demo):
    from organization.models import User

    usernames = set(User.objects.values_list("username", flat=True))
    problems = []
    for persona in Personas.usernames:
        client = Client()
        client.force_login(getattr(demo, persona))
        problems += [f"{persona}: {problem}" for problem in crawl(client, usernames)]
    assert not problems, "\n".join(problems)


def test_the_crawler_sees_english_and_refused_links():
    page = PageText()
    page.feed('<p>Access Forbidden</p><a href="/x/">链接</a><button title="Excel">导出</button><script>var a</script>')
    assert english_words(page.words) == {"Access", "Forbidden"}
    assert page.links == ["/x/"]
