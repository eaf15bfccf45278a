# Shared helpers for the setup scripts; sourced, never run.

project_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
toolchain_file="$project_root/infra/toolchain.json"

export CLASSROOM_CACHE_DIR="${CLASSROOM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/live-classroom}"

log() {
	printf '[setup] %s\n' "$*" >&2
}

fail() {
	printf '[setup] error: %s\n' "$*" >&2
	exit 1
}

# Reads one value of infra/toolchain.json; node is the one tool every machine
# that runs this project has before setup.
toolchain() {
	node -e 'const t = require(process.argv[1]); const v = t[process.argv[2]];
		console.log(Array.isArray(v) ? v.join(" ") : v)' "$toolchain_file" "$1"
}

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo "$@"
	else
		fail "'$*' needs root and sudo is not installed"
	fi
}

step() {
	local name="$1" script="$2" t0=$SECONDS
	bash "$script" || fail "$name failed"
	log "$name ready ($((SECONDS - t0))s)"
}
