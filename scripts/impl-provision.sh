#!/bin/sh
# impl-provision.sh -- unpack DANE implementations that are not MTAs (the
# probe adapters' tools) into a private prefix, like mta-provision.sh.
#
#   scripts/impl-provision.sh TOOL [DIR]      (DIR default: build/impl)
#
# Each tool has its own section below; nothing is installed as a system
# package except shared libraries the system's own MTA packages would pull
# in too (Exim's libgnutls-dane0), and nothing of the host's configuration
# is touched.  Idempotent: a provisioned prefix is left alone.  Needs root
# only when a library is missing (apt-get install).
set -eu
PATH=$PATH:/usr/sbin:/sbin
umask 022
tool=${1:?usage: $0 gnutls [DIR]}
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${2:-$top/build/impl}

die() { echo "impl-provision: $*" >&2; exit 1; }

# apt_get: apt-get with the dpkg lock waited for (scripts/lib/apt.sh).
APT_WHO=impl-provision
. "$top/scripts/lib/apt.sh"

# Install missing shared libraries (root), download PKGS' .debs into
# DIR/TOOL/debs and unpack them under DIR/TOOL/root.
unpack() {
	libs=$1 pkgs=$2
	for l in $libs; do
		dpkg-query -W -f='${Status}' "$l" 2>/dev/null | grep -q ' installed$' ||
			missing="${missing:-} $l"
	done
	if [ -n "${missing:-}" ]; then
		[ "$(id -u)" -eq 0 ] || die "the libraries$missing are missing (run as root)"
		apt_get install -y -qq --no-install-recommends $missing || {
			apt_get update -qq || true
			apt_get install -y -qq --no-install-recommends $missing ||
				die "cannot install the libraries$missing (apt-get's own words above)"
		}
	fi
	mkdir -p "$dir/$tool/debs" "$root"
	(cd "$dir/$tool/debs" && { apt_get download $pkgs 2>/dev/null || {
		apt_get update -qq || true
		apt_get download $pkgs || die "cannot download $pkgs (apt-get's own words above)"
	}; })
	for d in "$dir/$tool/debs"/*.deb; do dpkg-deb -x "$d" "$root"; done
}

mkdir -p "$dir"
dir=$(cd "$dir" && pwd -P)
root=$dir/$tool/root
stamp=$dir/$tool/.provisioned
case $tool in gnutls) ;; *) die "unknown tool '$tool', expected gnutls" ;; esac
[ -f "$stamp" ] && exit 0

# ---- gnutls: gnutls-cli --dane (Debian gnutls-bin) -------------------------
# The libraries are the system's libgnutls30 and libgnutls-dane0, the very
# ones Debian's Exim links (scripts/mta-provision.sh exim installs them too):
# the adapter isolates what Exim inherits from GnuTLS.
if [ "$tool" = gnutls ]; then
	unpack "libgnutls30 libgnutls-dane0 libtasn1-6" "gnutls-bin"
	# libunbound's built-in "test." zone off for libgnutls-dane's contexts
	# (scripts/impl/ub-test-zone.c says why).
	cc -Wall -Wextra -Werror -shared -fPIC -o "$dir/$tool/ub-test-zone.so" \
		"$top/scripts/impl/ub-test-zone.c" -lunbound -ldl ||
		die "cannot build ub-test-zone.so (needs gcc and libunbound-dev: scripts/deps.sh build)"
	"$root/usr/bin/gnutls-cli" --version >/dev/null 2>&1 ||
		die "the unpacked gnutls-cli does not run: $("$root/usr/bin/gnutls-cli" --version 2>&1 | head -1)"
fi

touch "$stamp"
echo "impl-provision: $tool ready in $root" >&2
