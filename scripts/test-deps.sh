#!/usr/bin/env bash
# What the tests need beyond Python: PostgreSQL (the store tests make a throwaway cluster with
# its initdb) and Chromium (the draft page is tested in a real headless browser), from Debian.
# Installs whichever is missing; says what to do when it cannot.
set -euo pipefail
need=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
command -v chromium >/dev/null || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null; then sudo="sudo"; else
    echo "the tests need the Debian packages: ${need[*]} (run: apt-get install ${need[*]})" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${need[@]}"
