#!/usr/bin/env bash
# Create .venv and install Ruang Aman with pinned versions (the model rebuilds bit-for-bit
# only with the same numerical libraries).  Safe to run again; prints pip's log on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
if ! { .venv/bin/python -m pip install --quiet --upgrade pip &&
       .venv/bin/python -m pip install --quiet -c constraints.txt -e '.[test]'; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "setup failed" >&2
  exit 1
fi
echo "ruangaman installed in .venv ($(.venv/bin/ruangaman --version 2>/dev/null || echo ready))" >&2
