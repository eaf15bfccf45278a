#!/usr/bin/env bash
# Installs node modules from the lock file when they are missing or stale.
# Dependency install scripts stay off (.npmrc): mediasoup's would try to
# download and build its worker, which mediasoup-worker.sh does instead.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cd "$project_root"
stamp="node_modules/.live-classroom-lock.sha256"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
	exit 0
fi

log "installing node modules (npm ci)"
npm ci --no-audit --no-fund --loglevel=error
echo "$want" >"$stamp"
