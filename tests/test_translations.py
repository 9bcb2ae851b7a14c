"""Chinese is the default language: every message of the project has a zh-Hans translation."""

import gettext
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from fill_po import parse_block  # noqa: E402

PO_FILES = sorted(p for p in ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po") if ".venv" not in p.parts)


def untranslated(text: str) -> list[str]:
    missing = []
    for block in text.split("\n\n"):
        lines = block.split("\n")
        msgid, msgstr_at, continuation = parse_block(lines)
        if msgid and msgstr_at >= 0 and lines[msgstr_at] == 'msgstr ""' and continuation == 0:
            missing.append(msgid)
        if msgid and any(line.startswith("#,") and "fuzzy" in line for line in lines):
            missing.append("fuzzy: " + msgid)
    return missing


def test_there_are_translation_catalogues():
    assert PO_FILES


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_message_is_translated(po):
    assert untranslated(po.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_catalogue_is_compiled(po):
    assert po.with_suffix(".mo").exists()


PLACEHOLDER = re.compile(r"%\((\w+)\)[sdfr]|\{(\w*)\}")


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_compiled_translations_are_whole_messages(po):
    """No message carries the catalogue header, and every translation keeps the placeholders of
    its message (a lost ``%(due)s`` would drop the deadline from a notification)."""
    with po.with_suffix(".mo").open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog
    wrong = []
    for msgid, msgstr in catalog.items():
        if not isinstance(msgid, str) or not msgid:
            continue
        if "Project-Id-Version:" in msgstr:
            wrong.append(f"header inside {msgid!r}")
        elif set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(msgstr)):
            wrong.append(f"placeholders differ in {msgid!r}: {msgstr!r}")
    assert wrong == []
