"""Fill empty msgstr entries of a .po file from a JSON dictionary {msgid: msgstr}.

Usage: python scripts/fill_po.py path/to/django.po translations.json
Prints the msgids still untranslated, so a translator sees what is left.
"""

import json
import re
import sys

ENTRY = re.compile(r'(?P<head>(?:#.*\n)*msgid "(?P<id>(?:[^"\\]|\\.)*)"\n)msgstr ""\n(?!")')


def unescape(raw: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), raw)


def fill(po_text: str, translations: dict[str, str]) -> tuple[str, list[str]]:
    missing: list[str] = []

    def replace(match: re.Match) -> str:
        msgid = unescape(match.group("id"))
        if not msgid:
            return match.group(0)
        if msgid in translations:
            value = translations[msgid].replace("\\", "\\\\").replace('"', '\\"')
            head = match.group("head").replace("#, fuzzy\n", "")
            return f'{head}msgstr "{value}"\n'
        missing.append(msgid)
        return match.group(0)

    return ENTRY.sub(replace, po_text), missing


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
