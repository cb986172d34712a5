#!/bin/sh
# mta-provision.sh -- unpack the MTAs danelab tests into a private prefix.
#
#   scripts/mta-provision.sh postfix|exim|opensmtpd [DIR]   (DIR default: build/mta)
#
# Debian's postfix, exim4 and opensmtpd all provide mail-transport-agent, so
# a normal install gets one of them and it becomes the system MTA.  Instead the
# packages are downloaded and unpacked under DIR/<mta>/root, their RUNPATH
# rewritten to point inside that prefix (notes: LD_LIBRARY_PATH does not
# survive postdrop's cleaned environment), and lab-only service accounts
# are created.  Nothing of the host's mail configuration is touched.
# Idempotent: a provisioned prefix is left alone.  Needs root (accounts).
#
# Exim re-executes itself after dropping to Debian-exim, and both MTAs'
# daemons run as their own accounts: every directory above the prefix must
# be searchable by them.  A checkout under /root (mode 0700) is not, so
# there DIR/<mta> becomes a link to /var/lib/danelab/mta-HASH/<mta> and the
# adapters run the MTA by its real path.
set -eu
PATH=$PATH:/usr/sbin:/sbin
# The accounts must read what is unpacked, whatever root's umask.
umask 022
mta=${1:?usage: $0 postfix|exim|opensmtpd [DIR]}
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${2:-$top/build/mta}

die() { echo "mta-provision: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "run as root (it creates lab-only service accounts)"
case $mta in postfix|exim|opensmtpd) ;; *) die "unknown MTA '$mta', expected postfix, exim or opensmtpd" ;; esac

mkdir -p "$dir"
dir=$(cd "$dir" && pwd -P)
if ! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$dir/."; then
	alt=/var/lib/danelab/mta-$(printf '%s' "$dir" | sha256sum | cut -c1-12)
	mkdir -p "$alt/$mta"
	chmod 755 /var/lib/danelab "$alt"
	if [ "$(readlink "$dir/$mta" 2>/dev/null)" != "$alt/$mta" ]; then
		rm -rf "$dir/$mta"
		ln -s "$alt/$mta" "$dir/$mta"
		echo "mta-provision: $dir is not searchable by the MTAs' accounts; $mta goes to $alt/$mta" >&2
	fi
fi
root=$dir/$mta/root
stamp=$dir/$mta/.provisioned
[ -f "$stamp" ] && exit 0

# apt_get: apt-get with the dpkg lock waited for (scripts/lib/apt.sh).
APT_WHO=mta-provision
. "$top/scripts/lib/apt.sh"

case $mta in
postfix)
	pkgs="postfix"
	libs="libdb5.3 libicu72 libnsl2 libsasl2-2"
	;;
exim)
	pkgs="exim4-base exim4-daemon-light"
	libs="libdb5.3 libgnutls-dane0 libgnutls30 libidn12 libidn2-0 libnsl2 libpcre2-8-0"
	;;
opensmtpd)
	pkgs="opensmtpd"
	libs="libdb5.3 libevent-2.1-7 libpam0g libssl3 zlib1g libcrypt1"
	;;
esac
for l in $libs; do
	dpkg-query -W -f='${Status}' "$l" 2>/dev/null | grep -q ' installed$' ||
		missing="${missing:-} $l"
done
if [ -n "${missing:-}" ]; then
	apt_get install -y -qq --no-install-recommends $missing || {
		apt_get update -qq || true
		apt_get install -y -qq --no-install-recommends $missing ||
			die "cannot install the libraries$missing (apt-get's own words above)"
	}
fi
command -v patchelf >/dev/null || die "patchelf is missing (scripts/deps.sh mta)"

mkdir -p "$dir/$mta/debs" "$root"
cd "$dir/$mta/debs"
# apt-get download writes into the current directory; _apt cannot, root can.
apt_get download $pkgs 2>/dev/null || {
	apt_get update -qq || true
	apt_get download $pkgs || die "cannot download $pkgs (apt-get's own words above)"
}
for d in *.deb; do dpkg-deb -x "$d" "$root"; done

if [ "$mta" = postfix ]; then
	# Executables find their libraries relative to themselves.
	for f in "$root"/usr/sbin/* "$root"/usr/lib/postfix/sbin/*; do
		readelf -d "$f" 2>/dev/null | grep -q RUNPATH || continue
		case $f in
		*/usr/sbin/*) patchelf --set-rpath '$ORIGIN/../lib/postfix' "$f" ;;
		*) patchelf --set-rpath '$ORIGIN/..' "$f" ;;
		esac
	done
	for f in "$root"/usr/lib/postfix/*.so; do
		patchelf --set-rpath '$ORIGIN' "$f"
	done
	getent group dlpostdrop >/dev/null || groupadd --system dlpostdrop
	getent group dlpostfix >/dev/null || groupadd --system dlpostfix
	getent passwd dlpostfix >/dev/null ||
		useradd --system --gid dlpostfix --no-create-home --home-dir /nonexistent \
			--shell /usr/sbin/nologin dlpostfix
	"$root/usr/sbin/postconf" -d mail_version >/dev/null 2>&1 ||
		die "the unpacked postconf does not run: $("$root/usr/sbin/postconf" -d mail_version 2>&1 | head -1)"
fi
if [ "$mta" = exim ]; then
	# Exim runs as its compiled-in user; only the binary's location is ours.
	getent group Debian-exim >/dev/null || groupadd --system Debian-exim
	getent passwd Debian-exim >/dev/null ||
		useradd --system --gid Debian-exim --no-create-home --home-dir /nonexistent \
			--shell /usr/sbin/nologin Debian-exim
	"$root/usr/sbin/exim4" -C /dev/null -bV >/dev/null 2>&1 ||
		die "the unpacked exim4 does not run: $("$root/usr/sbin/exim4" -C /dev/null -bV 2>&1 | head -1)"
fi
if [ "$mta" = opensmtpd ]; then
	# The accounts its Debian build drops to (SMTPD_USER, SMTPD_QUEUE_USER);
	# its folders (/var/spool/smtpd, /var/run/smtpd.sock, the chroot
	# /var/lib/opensmtpd/empty) are the adapter's, per batch, in a mount
	# namespace of their own: nothing is made on the host.
	for n in opensmtpd opensmtpq; do
		getent group "$n" >/dev/null || groupadd --system "$n"
		getent passwd "$n" >/dev/null ||
			useradd --system --gid "$n" --no-create-home --home-dir /nonexistent \
				--shell /usr/sbin/nologin "$n"
	done
	"$root/usr/sbin/smtpd" -h 2>&1 | grep -q 'OpenSMTPD' ||
		die "the unpacked smtpd does not run: $("$root/usr/sbin/smtpd" -h 2>&1 | head -1)"
fi
touch "$stamp"
echo "mta-provision: $mta ready in $root" >&2
