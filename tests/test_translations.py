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


def untranslated_plurals_and_contexts(text: str) -> list[str]:
    """Entries that ``parse_block`` leaves aside: plural forms and messages with a context
    (``pgettext``). Each ``msgstr[n]`` / ``msgstr`` of such an entry must have text."""
    missing = []
    for block in text.split("\n\n"):
        lines = [line for line in block.split("\n") if not line.startswith("#~")]
        if not any(line.startswith(("msgid_plural", "msgctxt")) for line in lines):
            continue
        msgid = next((line for line in lines if line.startswith("msgid ")), "")
        for index, line in enumerate(lines):
            if not line.startswith("msgstr"):
                continue
            empty = line.endswith(' ""')
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if empty and not following.startswith('"'):
                missing.append(f"{msgid} ({line.split(' ')[0]})")
    return missing


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_plural_and_context_message_is_translated(po):
    assert untranslated_plurals_and_contexts(po.read_text(encoding="utf-8")) == []


def test_the_plural_check_sees_an_empty_plural():
    block = 'msgid "%(n)s to accept"\nmsgid_plural "%(n)s to accept"\nmsgstr[0] ""\n'
    assert untranslated_plurals_and_contexts(block) == ['msgid "%(n)s to accept" (msgstr[0])']


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


# Django's and DRF's own wording, as good as ours on the admin and API pages where they show.
SHADOWED_ON_PURPOSE = {
    "Invalid token.",
    "Save and add another",
    "This field is required.",
    "active",
    "content type",
    "object id",
}


def test_no_message_of_ours_reads_another_packages_translation():
    """Django looks a message up in every catalogue, packages listed first in INSTALLED_APPS
    winning: a bare "Name" read django-celery-beat's "任务名" on the members' table. A word we
    share with a package is given a context (``pgettext``) so it reads what we wrote."""
    from django.utils import translation

    wrong = []
    with translation.override("zh-hans"):
        for po in PO_FILES:
            with po.with_suffix(".mo").open("rb") as fh:
                catalog = gettext.GNUTranslations(fh)._catalog
            for msgid, msgstr in catalog.items():
                if not isinstance(msgid, str) or not msgid or msgid in SHADOWED_ON_PURPOSE:
                    continue
                if "\x04" in msgid:
                    shown = translation.pgettext(*msgid.split("\x04", 1))
                else:
                    shown = translation.gettext(msgid)
                ours = {msgstr} | _translations_elsewhere(msgid)
                if shown not in ours:
                    wrong.append(f"{msgid!r} reads {shown!r}, not {msgstr!r} ({po.relative_to(ROOT)})")
    assert wrong == []


def _translations_elsewhere(msgid: str) -> set[str]:
    found = set()
    for po in PO_FILES:
        with po.with_suffix(".mo").open("rb") as fh:
            value = gettext.GNUTranslations(fh)._catalog.get(msgid)
        if value:
            found.add(value)
    return found


def test_each_subject_names_its_states_in_its_own_words():
    """A closed supervision case is not a closed month (已验单); a pledge waiting for review is
    not an item waiting for verification (已申请办结)."""
    from django.utils import translation

    from issues.models import LivelihoodIssue
    from lists.models import ResponsibilityItem, ResponsibilityList
    from pledges.models import Pledge
    from supervision.models import SupervisionCase

    with translation.override("zh-hans"):
        assert str(SupervisionCase.State.CLOSED.label) != str(ResponsibilityList.State.CLOSED.label)
        assert str(LivelihoodIssue.State.CLOSED.label) != str(ResponsibilityList.State.CLOSED.label)
        assert str(Pledge.State.SUBMITTED.label) != str(ResponsibilityItem.State.SUBMITTED.label)
