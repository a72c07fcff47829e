#!/usr/bin/env bash
# Install objectstore with its test tools into ./.venv and run the whole test suite:
# lint (ruff), types (mypy), then pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh '.[test]'
# Real S3 clients from Debian for the integration tests, and a real browser for what a
# browser uses (Swift static web sites, the web console).
missing=()
for tool in rclone s3cmd chromium; do command -v "$tool" >/dev/null || missing+=("$tool"); done
# (Selenium drives chromium through Debian's chromedriver for the web console's test)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
if ((${#missing[@]})); then
    if command -v apt-get >/dev/null && [[ $(id -u) == 0 ]]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "test.sh: please install ${missing[*]} (apt-get install ${missing[*]})" >&2
    fi
fi
# Keystone's own virtualenv (a minute of pip) and a Keystone set up in it are made while
# lint, types and the first tests run; the Keystone tests wait for them (a lock).
(./scripts/keystone-venv.sh && .venv/bin/python -m tests.keystone) >/dev/null 2>&1 &
.venv/bin/ruff check objectstore tests benchmarks
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
