#!/usr/bin/env bash
# Install objectstore into ./.venv and run `objectstore serve` (arguments pass through).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh .
exec .venv/bin/objectstore serve "$@"
