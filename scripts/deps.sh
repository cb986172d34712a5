#!/bin/sh
# deps.sh -- make sure the Debian packages danelab needs are installed.
#
#   scripts/deps.sh build|test|run|mta|fresh
#
# As root, missing packages are installed with apt-get; otherwise the exact
# apt-get line is printed and the script fails.  Nothing is installed that
# is already there, so a provisioned machine pays only one dpkg query.
set -eu

what=${1:-build}
build_pkgs="gcc make pkg-config libc6-dev libssl-dev libldns-dev libunbound-dev libidn2-dev libcunit1-dev libpcap-dev"
# netbase: /etc/services and /etc/protocols, absent on a minimal system.
lab_pkgs="nsd unbound openssl iproute2 netbase"
# What the tests call besides the lab: pgrep (procps), ldns-keygen,
# ldns-signzone and drill (ldnsutils), jq.
test_pkgs="clang python3 time patchelf chromium tshark procps ldnsutils jq"
# Node.js for the mx-connect adapter (scripts/node-provision.sh): Debian's
# nodejs and npm; a nodejs that bundles npm (NodeSource's) needs no npm.
node_pkgs="nodejs"
command -v npm >/dev/null 2>&1 || node_pkgs="$node_pkgs npm"
case $what in
build) pkgs="$build_pkgs" ;;
run)   pkgs="$build_pkgs $lab_pkgs" ;;
test)  pkgs="$build_pkgs $lab_pkgs $test_pkgs $node_pkgs" ;;
mta)   pkgs="$build_pkgs $lab_pkgs patchelf python3 $node_pkgs" ;;
fresh) pkgs="debootstrap git" ;;
*) echo "usage: $0 build|test|run|mta|fresh" >&2; exit 2 ;;
esac

missing=""
for p in $pkgs; do
	# dpkg-query prints "install ok installed" for a fully installed package.
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case $st in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

line="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "danelab: missing Debian packages:$missing" >&2
	echo "danelab: run as root:  $line" >&2
	exit 1
fi
echo "danelab: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# The lists may be stale or absent on a fresh machine; one update is cheap.
# DPkg::Lock::Timeout: wait for another apt instead of failing.
apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 || true
# policy-rc.d keeps the packages' own service scripts from starting a system
# NSD or Unbound: the lab starts its own copies inside its namespace.
prc=/usr/sbin/policy-rc.d
made_prc=no
if [ ! -e $prc ]; then
	printf '#!/bin/sh\nexit 101\n' > $prc && chmod 755 $prc && made_prc=yes
fi
rc=0
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >&2 || rc=$?
[ $made_prc = yes ] && rm -f $prc
exit $rc
