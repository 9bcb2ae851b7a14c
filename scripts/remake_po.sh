#!/usr/bin/env bash
# Regenerate an app's zh_Hans catalogue from its sources, keeping every translation it (and
# any extra .po given) had: used after merges, where catalogues conflict.
# Usage: scripts/remake_po.sh <app dir> [extra.po ...]
set -euo pipefail
cd "$(dirname "$0")/.."
app=$1; shift
po="$app/locale/zh_Hans/LC_MESSAGES/django.po"
dict=$(mktemp)
.venv/bin/python scripts/po_merge.py "$dict" "$po" "$@"
rm -f "$po"
(cd "$app" && ../.venv/bin/django-admin makemessages -l zh_Hans -v0)
.venv/bin/python scripts/fill_po.py "$po" "$dict"
(cd "$app" && ../.venv/bin/django-admin compilemessages -v0)
rm -f "$dict"
