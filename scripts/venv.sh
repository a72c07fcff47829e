#!/usr/bin/env bash
# Make ./.venv with objectstore installed (sourced by the other scripts).
# Debian's python3 needs python3-venv for `python3 -m venv`; install it if missing.
set -euo pipefail
PY=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
    if ! "$PY" -m venv .venv 2>/dev/null; then
        rm -rf .venv
        if command -v apt-get >/dev/null && [[ $(id -u) == 0 ]]; then
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
        fi
        "$PY" -m venv .venv
    fi
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e "${1:-.}"
