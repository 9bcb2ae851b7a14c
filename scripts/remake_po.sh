#!/usr/bin/env bash
# Regenerate an app's zh_Hans catalogue from its sources, keeping every translation it (and any
# extra .po given) had, contexts (msgctxt) and plural forms included: used after merges, where
# catalogues conflict. No fuzzy guesses: a new message stays untranslated until someone writes it.
# Usage: scripts/remake_po.sh <app dir> [extra.po ...]
set -euo pipefail
cd "$(dirname "$0")/.."
app=$1; shift
po="$app/locale/zh_Hans/LC_MESSAGES/django.po"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$po" "$tmp/old.po"
compendia=()
for extra in "$@"; do compendia+=(-C "$extra"); done
rm -f "$po"
(cd "$app" && ../.venv/bin/django-admin makemessages -l zh_Hans -v0)
msgmerge --quiet --no-fuzzy-matching "${compendia[@]}" -o "$tmp/merged.po" "$tmp/old.po" "$po"
msgattrib --no-obsolete -o "$po" "$tmp/merged.po"
(cd "$app" && ../.venv/bin/django-admin compilemessages -v0)
