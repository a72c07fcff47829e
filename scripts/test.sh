#!/usr/bin/env bash
# Install objectstore with its test tools into ./.venv and run the whole test suite:
# lint (ruff), types (mypy), then pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh '.[test]'
.venv/bin/ruff check objectstore tests benchmarks
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
