#!/usr/bin/env bash
# Set everything up, then run the main job on embedded defaults (bundled model):
# assess the example posts and print one JSON line per post.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
exec .venv/bin/ruangaman assess --input examples/posts.jsonl "$@"
