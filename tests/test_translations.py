"""Chinese is the default language: every message of the project has a zh-Hans translation."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PO_FILES = sorted(p for p in ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po") if ".venv" not in p.parts)
EMPTY = re.compile(r'^msgid "(.+)"\nmsgstr ""\n(?!")', re.MULTILINE)


def test_there_are_translation_catalogues():
    assert PO_FILES


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_message_is_translated(po):
    text = po.read_text(encoding="utf-8")
    assert EMPTY.findall(text) == []
    assert '#, fuzzy\nmsgid "' not in text.replace('#, fuzzy\nmsgid ""', "")


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_catalogue_is_compiled(po):
    assert po.with_suffix(".mo").exists()
