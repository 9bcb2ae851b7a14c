"""Every page carries a Content-Security-Policy that runs no inline script, and no template or
rendered page relies on one (inline <script>, on… handlers, javascript: URLs, inline styles)."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from tests.matrix import published_item, ready_list

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATES = sorted(
    path
    for pattern in ("templates/**/*.html", "*/templates/**/*.html")
    for path in ROOT.glob(pattern)
    if ".venv" not in path.parts
)
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


def policy(response) -> dict[str, list[str]]:
    directives = (part.split() for part in response["Content-Security-Policy"].split(";") if part.strip())
    return {name: sources for name, *sources in directives}


class InlineCode(HTMLParser):
    """Collects what a strict policy would block in one HTML document."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name == "style":
                self.found.append(f"<{tag} style=…>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}=javascript:…>")
        if tag == "style":
            self.found.append("<style>")
        self._inline_script = (
            tag == "script" and "src" not in attributes and attributes.get("type") not in DATA_SCRIPT_TYPES
        )

    def handle_endtag(self, tag):
        self._inline_script = False

    def handle_data(self, data):
        if self._inline_script and data.strip():
            self.found.append(f"<script>{data.strip()[:40]}")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


def test_there_are_templates_to_check():
    assert any(path.name == "base.html" for path in TEMPLATES)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_template_has_no_inline_script_handler_or_style(path):
    # template tags stand in for values: take them out so that the HTML parser sees the markup
    text = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", "", path.read_text(encoding="utf-8"), flags=re.S)
    assert inline_code(text) == []


def test_the_checker_finds_what_the_policy_blocks():
    found = inline_code(
        '<body onload="x()"><script>alert(1)</script><script src="/s.js"></script>'
        '<script type="application/json">{"a": 1}</script><a href="javascript:x()" style="color:red">a</a>'
        "<style>p{}</style></body>"
    )
    assert found == ["<body onload=…>", "<script>alert(1)", "<a href=javascript:…>", "<a style=…>", "<style>"]


def test_policy_allows_only_the_sites_own_files(client, db):
    response = client.get(reverse("login"))
    directives = policy(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    # blob: only the page's own script makes them, from photos the user chose to upload (previews)
    assert directives["img-src"] == ["'self'", "data:", "blob:"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_rendered_pages_run_no_inline_code(personas, client):
    lst = ready_list(personas)
    client.force_login(personas.leader)
    pages = {
        "home": reverse("home"),
        "a draft list with its delete buttons": reverse("lists:list-detail", args=[lst.pk]),
        "the printable pledge board": reverse("pledges:pledge-board", args=[personas.branch.pk]) + "?print=1",
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert "Content-Security-Policy" in response, name
        assert inline_code(response.content.decode()) == [], name
    assert 'data-confirm="' in client.get(pages["a draft list with its delete buttons"]).content.decode()


def test_error_pages_are_the_sites_own_and_run_no_inline_code(personas, client):
    client.force_login(personas.other_cadre)
    refused = client.get(reverse("issues:issue-dispatch-board"))
    missing = client.get(reverse("lists:item-detail", args=[published_item(personas).pk]))
    assert (refused.status_code, missing.status_code) == (403, 404)
    for response in (refused, missing):
        page = response.content.decode()
        assert "css/dutyflow.css" in page
        assert inline_code(page) == []


def test_server_error_page_runs_no_inline_code(rf):
    from django.views.defaults import server_error

    page = server_error(rf.get("/")).content.decode()
    assert "css/dutyflow.css" in page
    assert inline_code(page) == []


def test_dashboard_charts_run_from_files_with_their_data_as_json(personas, client):
    client.force_login(personas.secretary)
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert inline_code(page) == []
    assert '<script id="chart-data" type="application/json">' in page
    assert "reports/dashboard.js" in page
