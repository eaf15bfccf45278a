#!/usr/bin/env bash
# Builds FerretDB 1.x and MinIO from the Go module proxy into the cache,
# one folder per version. Go comes from the machine, or from Debian.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ferretdb_version="$(toolchain ferretdb)"
minio_version="$(toolchain minio)"
ferretdb_bin="$CLASSROOM_CACHE_DIR/go/ferretdb-$ferretdb_version/ferretdb"
minio_bin="$CLASSROOM_CACHE_DIR/go/minio-$minio_version/minio"

if [ -x "$ferretdb_bin" ] && [ -x "$minio_bin" ]; then
	exit 0
fi

ensure_go() {
	if ! command -v go >/dev/null; then
		log "installing Go from Debian"
		DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q golang-go >/dev/null
	fi
	local have want
	have="$(go env GOVERSION | sed 's/^go//')"
	want="$(toolchain minGo)"
	if [ "$(printf '%s\n%s\n' "$want" "$have" | sort -V | head -1)" = "$want" ]; then
		export GOTOOLCHAIN=local
	else
		# Go 1.21 and newer fetch a newer toolchain from the module proxy.
		log "Go $have is older than $want; asking the module proxy for go$want.0"
		export GOTOOLCHAIN="go$want.0"
	fi
}

ensure_go
work="$(mktemp -d)"
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT

if [ ! -x "$ferretdb_bin" ]; then
	log "building FerretDB $ferretdb_version"
	# The module ships without the generated version file its main package
	# insists on, so it is built from a writable copy with that file added.
	(cd "$work" && go mod download -json "github.com/FerretDB/FerretDB@$ferretdb_version" >ferretdb.json)
	src="$(node -p 'require(process.argv[1]).Dir' "$work/ferretdb.json")"
	cp -r "$src" "$work/ferretdb"
	chmod -R u+w "$work/ferretdb"
	echo "$ferretdb_version" >"$work/ferretdb/build/version/version.txt"
	mkdir -p "$(dirname "$ferretdb_bin")"
	(cd "$work/ferretdb" && GOFLAGS=-mod=mod go build -o "$ferretdb_bin.tmp" ./cmd/ferretdb)
	mv "$ferretdb_bin.tmp" "$ferretdb_bin"
fi

if [ ! -x "$minio_bin" ]; then
	log "building MinIO $minio_version (a few minutes on 2 cores)"
	mkdir -p "$work/minio-bin"
	GOBIN="$work/minio-bin" go install "github.com/minio/minio@$minio_version"
	mkdir -p "$(dirname "$minio_bin")"
	mv "$work/minio-bin/minio" "$minio_bin"
fi
