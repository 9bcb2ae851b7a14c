"""Collect translations from several .po files into one JSON dictionary {msgid: msgstr}.

Used after merging branches that each regenerated a catalogue: regenerate it with
makemessages, then fill it from the dictionary (scripts/fill_po.py).
Usage: python scripts/po_merge.py out.json a.po [b.po ...]
"""

import json
import re
import sys

from fill_po import separate_header

STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def unescape(raw: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), raw)


def _unquote(lines: list[str]) -> str:
    raw = "".join(STRING.findall(" ".join(lines)))
    return unescape(raw)


def entries(text: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for block in re.split(r"\n\s*\n", separate_header(text)):
        if "#, fuzzy" in block:
            continue
        msgid, msgstr, current = [], [], None
        for line in block.splitlines():
            if line.startswith("msgid "):
                current = msgid
            elif line.startswith("msgstr "):
                current = msgstr
            elif line.startswith(("msgid_plural", "msgstr[", "#", "msgctxt")):
                current = None
                continue
            if current is not None and '"' in line:
                current.append(line)
        key, value = _unquote(msgid), _unquote(msgstr)
        if key and value and "Project-Id-Version:" not in value:
            result[key] = value
    return result


def main() -> int:
    out, *sources = sys.argv[1:]
    merged: dict[str, str] = {}
    for path in sources:
        with open(path, encoding="utf-8") as fh:
            merged.update(entries(fh.read()))
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(merged, fh, ensure_ascii=False, indent=0)
    print(f"{len(merged)} translations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
