#!/bin/sh
# node-provision.sh -- install the Node.js DANE client danelab tests
# (mx-connect, driven by runner/adapters/mx-connect.js) into a private tree.
#
#   scripts/node-provision.sh [DIR]     (DIR default: build/node)
#
# `npm ci` from the committed scripts/node/package.json and its lock file:
# the exact versions and integrity hashes pinned there, nothing global, no
# install scripts run.  Node itself is Debian's `nodejs` (scripts/deps.sh
# mta).  Idempotent: a tree whose lock file matches the committed one is
# left alone.  Needs the npm registry once; the tree is reused after that.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$top/build/node}
die() { echo "node-provision: $*" >&2; exit 1; }

command -v node >/dev/null || die "node is missing (scripts/deps.sh mta installs Debian's nodejs)"
command -v npm >/dev/null || die "npm is missing (scripts/deps.sh mta installs Debian's npm)"
mkdir -p "$dir"
if cmp -s "$top/scripts/node/package-lock.json" "$dir/package-lock.json" &&
    [ -f "$dir/node_modules/mx-connect/package.json" ]; then
	exit 0
fi
cp "$top/scripts/node/package.json" "$top/scripts/node/package-lock.json" "$dir/"
out=$(mktemp /tmp/node-provision.XXXXXX)
if ! (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --omit=dev) >"$out" 2>&1; then
	sed 's/^/  npm: /' "$out" | tail -n 8 >&2
	rm -f "$out"
	rm -f "$dir/package-lock.json"
	die "npm ci failed in $dir (npm's own words above)"
fi
rm -f "$out"
v=$(node -p 'require(process.argv[1] + "/node_modules/mx-connect/package.json").version' "$dir") ||
	die "the installed mx-connect does not load"
echo "node-provision: mx-connect $v ready in $dir" >&2
