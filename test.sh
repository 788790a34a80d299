#!/usr/bin/env bash
# Set everything up (the venv, and PostgreSQL and Chromium from Debian if missing), then run
# the whole test suite.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
bash scripts/test-deps.sh
exec .venv/bin/python -m pytest -q "$@"
