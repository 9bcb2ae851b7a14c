"""Fill empty msgstr entries of a .po file from a JSON dictionary {msgid: msgstr}.

Usage: python scripts/fill_po.py path/to/django.po translations.json
Prints the msgids still untranslated, so a translator sees what is left.
"""

import json
import re
import sys

STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def unescape(raw: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), raw)


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")


def parse_block(lines: list[str]) -> tuple[str, int, int]:
    """(msgid, index of the msgstr line, number of msgstr continuation lines) — or ("", -1, 0)."""
    msgid_parts: list[str] = []
    current = None
    msgstr_at, continuation = -1, 0
    for index, line in enumerate(lines):
        if line.startswith("msgid "):
            current = "id"
        elif line.startswith("msgstr "):
            current, msgstr_at = "str", index
        elif line.startswith(("msgid_plural", "msgstr[", "msgctxt")):
            return "", -1, 0
        elif not line.startswith('"'):
            current = None if not line.startswith("#") else current
            continue
        if current == "id":
            msgid_parts += STRING.findall(line)
        elif current == "str" and index != msgstr_at:
            continuation += 1
    return unescape("".join(msgid_parts)), msgstr_at, continuation


HEADER_END = re.compile(r'(\n"Plural-Forms:[^\n]*"\n)(?=[#m])')


def separate_header(po_text: str) -> str:
    """makemessages can write a new catalogue's first entry right under the header, without the
    blank line that ends the header entry; put it back so the two are never read as one."""
    return HEADER_END.sub(r"\1\n", po_text, count=1)


def fill(po_text: str, translations: dict[str, str]) -> tuple[str, list[str]]:
    missing: list[str] = []
    po_text = separate_header(po_text)
    blocks = po_text.split("\n\n")
    for number, block in enumerate(blocks):
        lines = block.split("\n")
        msgid, msgstr_at, continuation = parse_block(lines)
        if not msgid or msgstr_at < 0:
            continue
        empty = lines[msgstr_at] == 'msgstr ""' and continuation == 0
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        if not empty and not fuzzy:
            continue
        if msgid not in translations:
            missing.append(msgid)
            continue
        kept = [line for line in lines[:msgstr_at] if not line.startswith("#|")]
        kept = [line.replace(", fuzzy", "") if line.startswith("#,") else line for line in kept]
        kept = [line for line in kept if line.strip() != "#,"]
        kept.append(f'msgstr "{escape(translations[msgid])}"')
        blocks[number] = "\n".join(kept)
    return "\n\n".join(blocks), missing


def main() -> int:
    path, dictionary = sys.argv[1], sys.argv[2]
    with open(dictionary, encoding="utf-8") as fh:
        translations = json.load(fh)
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    text, missing = fill(text, translations)
    text = text.replace(
        '"Content-Type: text/plain; charset=CHARSET\\n"', '"Content-Type: text/plain; charset=UTF-8\\n"'
    )
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    for msgid in missing:
        print("untranslated:", msgid)
    return 0


if __name__ == "__main__":
    sys.exit(main())
