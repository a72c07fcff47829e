#!/usr/bin/env bash
# Build the objectstore image on a machine with no registry access: a Docker engine
# from Debian's packages, a local Python base image (debootstrap), then `docker build`.
# Uses ../shared/tools/cluster/ (dockerd-ctl.sh, make-base-image.sh). Needs root.
#   scripts/compose-image.sh [TAG]      (default objectstore:latest)
set -euo pipefail
cd "$(dirname "$0")/.."
TAG=${1:-objectstore:latest}
TOOLS=${CLUSTER_TOOLS:-../shared/tools/cluster}
BASE_TAG=local/python-base:bookworm
"$TOOLS/dockerd-ctl.sh" install >/dev/null
"$TOOLS/dockerd-ctl.sh" start >/dev/null
if ! docker image inspect "$BASE_TAG" >/dev/null 2>&1; then
    # The mirror apt uses, found here (the tool's own lookup can trip over pipefail).
    mirror=$(awk '/^URIs:/ {print $2; exit} /^deb / {print ($2 ~ /^\[/ ? $3 : $2); exit}' \
        /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null || true)
    DEBIAN_MIRROR=${DEBIAN_MIRROR:-${mirror:-http://deb.debian.org/debian}} \
        "$TOOLS/make-base-image.sh" "$BASE_TAG" "${BASE_WORK:-/var/tmp/objectstore-pybase}" >/dev/null
fi
# The engine runs without a bridge: the build reaches the package index on the host's network.
docker build -q --network host --build-arg BASE="$BASE_TAG" -t "$TAG" . >/dev/null
echo "$TAG"
