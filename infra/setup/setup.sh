#!/usr/bin/env bash
# Brings a machine to the point where `npm start` and `npm test` can run:
# Debian packages, node modules, the Go-built FerretDB and MinIO, and the
# mediasoup worker. Every step checks before it works, so a second run takes
# seconds. Builds are cached outside the checkout, keyed by version.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib.sh"

started=$SECONDS

step "Debian packages" "$here/system-packages.sh"
step "node modules" "$here/node-modules.sh"
step "FerretDB and MinIO" "$here/go-tools.sh"
step "mediasoup worker" "$here/mediasoup-worker.sh"

log "setup complete in $((SECONDS - started))s (cache: $CLASSROOM_CACHE_DIR)"
