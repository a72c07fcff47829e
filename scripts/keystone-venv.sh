#!/usr/bin/env bash
# Make ./.keystone-venv with OpenStack Keystone (PyPI `keystone`), the identity service the
# Keystone tests start for real (tests/keystone.py). It is its own virtualenv: Keystone
# pins its own versions of much of OpenStack, which objectstore need not share.
# scripts/test.sh starts it in the background; a second caller (the tests' fixture)
# waits on the lock for the first to finish, and a build cut short is made again.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
KEYSTONE_VERSION=${KEYSTONE_VERSION:-30.0.0}
exec 9>.keystone-venv.lock
flock 9
if [[ ! -f .keystone-venv/complete ]]; then
    rm -rf .keystone-venv
    "$PY" -m venv .keystone-venv
    .keystone-venv/bin/python -m pip install -q --upgrade pip >/dev/null
    .keystone-venv/bin/python -m pip install -q "keystone==$KEYSTONE_VERSION" 2>&1 \
        | grep -v "is ignored: it is neither a file nor a directory" || true
    test -x .keystone-venv/bin/keystone-manage
    touch .keystone-venv/complete
fi
