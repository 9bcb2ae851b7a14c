#!/usr/bin/env bash
# Runs the whole suite. In CI (CI=true) PostgreSQL and Redis are required: a missing one fails
# the run. Elsewhere they are used when reachable, SQLite and no broker otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

probe() { "$BIN/python" scripts/probe_services.py "$@"; }

if [ "${CI:-}" = "true" ]; then
  export DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test}"
  export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
  export DUTYFLOW_REQUIRE_SERVICES=1
  probe --require "$DATABASE_URL" "$REDIS_URL"
else
  if [ -z "${DATABASE_URL:-}" ] && probe postgresql://postgres@127.0.0.1:5432/postgres 2>/dev/null; then
    export DATABASE_URL="postgresql://postgres@127.0.0.1:5432/dutyflow"
  fi
  if [ -z "${REDIS_URL:-}" ] && probe redis://127.0.0.1:6379/15 2>/dev/null; then
    export REDIS_URL="redis://127.0.0.1:6379/15"
  fi
fi
echo "Test run uses: database=${DATABASE_URL:-sqlite (in memory)}  broker=${REDIS_URL:-none (in-process)}"

"$BIN/ruff" check .
"$BIN/python" -m pytest "$@"
