#!/usr/bin/env bash
# Set everything up, run the main job on embedded defaults (bundled model): assess the example
# posts (one JSON line per post), then serve the HTTP API on 127.0.0.1:8000 with SQLite in
# ./ruangaman-data (Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
.venv/bin/ruangaman assess --input examples/posts.jsonl "$@"
exec .venv/bin/ruangaman serve
