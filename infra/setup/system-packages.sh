#!/usr/bin/env bash
# Installs the Debian packages the stack and the worker build need, only
# those that are missing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v dpkg-query >/dev/null || fail "this setup needs a Debian-based system (dpkg-query not found)"

missing=()
for pkg in $(toolchain debianPackages); do
	status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
	[ "$status" = "install ok installed" ] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

log "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
as_root apt-get update -q >/dev/null
as_root apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
