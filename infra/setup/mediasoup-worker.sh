#!/usr/bin/env bash
# Builds the mediasoup worker from the sources inside the installed npm
# package, against Debian's libraries instead of the subprojects its meson
# files would download. The binary is cached per mediasoup version; the
# services find it through MEDIASOUP_WORKER_BIN (see infra/toolchain.ts).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

version="$(toolchain mediasoup)"
package_dir="$project_root/node_modules/mediasoup"
out_dir="$CLASSROOM_CACHE_DIR/mediasoup-worker/$version"
out_bin="$out_dir/mediasoup-worker"

if [ -x "$out_bin" ]; then
	exit 0
fi

installed="$(node -p 'require(process.argv[1]).version' "$package_dir/package.json" 2>/dev/null || true)"
[ "$installed" = "$version" ] ||
	fail "node_modules/mediasoup is '${installed:-missing}', expected $version; run npm ci"

# Each library the worker links, as pkg-config names it, and the Debian
# package that provides it; a missing one stops the build with its name.
libraries=(
	"openssl:libssl-dev"
	"nlohmann_json:nlohmann-json3-dev"
	"libuv:libuv1-dev"
	"libsrtp2:libsrtp2-dev"
	"usrsctp:libusrsctp-dev"
	"absl_flat_hash_map:libabsl-dev"
	"absl_strings:libabsl-dev"
	"absl_optional:libabsl-dev"
)
for entry in "${libraries[@]}"; do
	lib="${entry%%:*}" pkg="${entry##*:}"
	pkg-config --exists "$lib" || fail "library '$lib' not found by pkg-config; install the Debian package '$pkg'"
done
for tool in meson ninja c++; do
	command -v "$tool" >/dev/null || fail "'$tool' not found; the worker build needs meson, ninja-build and g++"
done

log "building mediasoup-worker $version (about 3 minutes on 2 cores)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cp -r "$package_dir/worker" "$work/worker"
node "$project_root/infra/setup/patch-mediasoup-meson.mjs" "$work/worker"

meson setup "$work/build" "$work/worker" --buildtype=release -Db_ndebug=true >"$work/meson.log" 2>&1 ||
	{ tail -40 "$work/meson.log" >&2; fail "meson setup of the worker failed (log above)"; }
ninja -C "$work/build" mediasoup-worker >"$work/ninja.log" 2>&1 ||
	{ tail -40 "$work/ninja.log" >&2; fail "compiling the worker failed (log above)"; }

mkdir -p "$out_dir"
cp "$work/build/mediasoup-worker" "$out_bin.tmp"
mv "$out_bin.tmp" "$out_bin"
log "worker built: $out_bin"
