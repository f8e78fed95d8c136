#!/usr/bin/env bash
# Installs what the tests need (mosquitto from Debian, a .venv with the package and its test extras)
# and runs the whole suite. Usage: bash tests/run.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v mosquitto >/dev/null 2>&1 && [ ! -x /usr/sbin/mosquitto ]; then
  echo "== installing mosquitto (Debian package)"
  as_root apt-get install -y -qq mosquitto >/dev/null 2>&1 \
    || { as_root apt-get update -qq && as_root apt-get install -y -qq mosquitto; }
fi

if ! command -v openssl >/dev/null 2>&1; then  # the TLS tests make their certificates with it
  as_root apt-get install -y -qq openssl
fi

if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv"
  python3 -m venv .venv 2>/dev/null || { as_root apt-get install -y -qq python3-venv && python3 -m venv .venv; }
fi
echo "== installing everest-ocpp with test extras (versions pinned by constraints.txt)"
.venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test]'

echo "== ruff"
.venv/bin/ruff check module tests bench
echo "== mypy"
.venv/bin/mypy
# the module is started as a process several hundred times: compile its bytecode once (a shell with
# PYTHONDONTWRITEBYTECODE would otherwise make every start compile every file again)
.venv/bin/python -m compileall -q -j 0 module >/dev/null
echo "== pytest"
exec .venv/bin/python -m pytest -n 2 "$@"
