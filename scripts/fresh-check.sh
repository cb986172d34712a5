#!/bin/sh
# fresh-check.sh -- prove README's two commands on a minimal Debian 12.
#
#   scripts/fresh-check.sh          (make fresh-check; as root)
#
# Builds a minimal Debian 12 root (debootstrap --variant=minbase bookworm,
# what the debian:12 image holds) from the archive the host's apt uses,
# copies this clone in (git archive of the worktree's tracked files), and
# enters it with a mount and pid namespace of its own (unshare + pivot_root:
# a chroot cannot create the user namespaces the lab needs).  Inside:
#   1. as root in /root/danelab: README's prerequisite line, its main
#      command (make run), then its test command (make check);
#   2. as an ordinary user with Debian's login PATH (su -, no /usr/sbin):
#      the main command in a clone of its own.
# Prints each step's summary line, the packages the steps installed and the
# time of each step.  The bootstrapped root is cached under build/fresh/ so
# a second run skips debootstrap.  The host network is shared: apt in the
# root downloads from the same archive as the host.
set -eu
PATH=$PATH:/usr/sbin:/sbin
top=$(cd "$(dirname "$0")/.." && pwd)
cache=$top/build/fresh
tarball=$cache/bookworm-minbase.tar

die() { echo "fresh-check: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "run as root (debootstrap, pivot_root)"
command -v debootstrap >/dev/null || die "debootstrap is missing (scripts/deps.sh fresh)"

# The Debian archive apt uses: the first URI serving the plain release.
mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
    /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '
	/^deb / && $3 == "bookworm" { print $2; exit }
	/^URIs:/ { uri = $2 }
	/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") { print uri; exit } }')
[ -n "$mirror" ] || die "no bookworm archive in /etc/apt/sources.list*"

t0=$(date +%s)
load0=$(cut -d' ' -f1-3 /proc/loadavg)
mkdir -p "$cache"
if [ ! -f "$tarball" ]; then
	echo "fresh-check: debootstrap --variant=minbase bookworm from $mirror" >&2
	rm -rf "$cache/root.tmp"
	debootstrap --variant=minbase bookworm "$cache/root.tmp" "$mirror" \
	    >"$cache/debootstrap.log" 2>&1 ||
		die "debootstrap failed: $(tail -n 3 "$cache/debootstrap.log")"
	tar -C "$cache/root.tmp" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
	rm -rf "$cache/root.tmp"
fi
t1=$(date +%s)

work=$(mktemp -d /var/tmp/danelab-fresh.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
root=$work/root
mkdir "$root"
tar -C "$root" -xf "$tarball"
# apt in the root uses exactly the host's Debian sources (security updates
# included: they decide e.g. the OpenSSL version a fresh install gets).
rm -f "$root/etc/apt/sources.list"
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] && cp "$f" "$root$f"
done
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

# The clone: the worktree's tracked files as they are now (committed or not).
rev=$(git -C "$top" stash create 2>/dev/null || true)
[ -n "$rev" ] || rev=HEAD
git -C "$top" ls-files --others --exclude-standard | grep -q . &&
	echo "fresh-check: untracked files are not copied in: git add them" >&2
mkdir "$root/root/danelab"
git -C "$top" archive "$rev" | tar -C "$root/root/danelab" -xf -

# README's own lines, so this cannot drift from what it promises: the
# prerequisite (a minimal Debian has no make) and the two commands.
block=$(sed -n '/^## The two commands/,/^## [^T]/p' "$top/README.md")
prereq=$(printf '%s\n' "$block" | grep '^apt-get ' | sed 's/ *#.*//')
printf '%s\n' "$block" | grep -q '^make run ' && printf '%s\n' "$block" | grep -q '^make check ' ||
	die "README.md's 'The two commands' no longer lists make run and make check"
[ -n "$prereq" ] || die "README.md's 'The two commands' has no apt-get prerequisite line"
printf '%s\n' "$prereq" >"$root/fresh-prereq"
# As in the debian:12 image: no package lists until apt-get update.
rm -rf "$root"/var/lib/apt/lists/*

cat >"$root/fresh-inner.sh" <<'EOF'
#!/bin/sh
# Runs inside the fresh root after pivot_root (pid 1 of its namespace).
set -u
export HOME=/root LANG=C.UTF-8
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
status=0
pkgs() { dpkg-query -W -f='${Package}\n' | sort; }
step() {
	name=$1; shift
	pkgs >/tmp/pkgs.before
	s=$(date +%s)
	"$@" >/tmp/step.out 2>&1
	rc=$?
	e=$(($(date +%s) - s))
	cp /tmp/step.out "/fresh-log/$name.log"
	sum=$(grep -E '^[0-9]+ passed, [0-9]+ failed' /tmp/step.out | tail -n 1)
	[ "$name" = prerequisite ] && sum=${sum:-(none expected)}
	echo "fresh-check: $name: exit $rc, ${e} s: ${sum:-no summary line}"
	pkgs | comm -13 /tmp/pkgs.before - >/tmp/pkgs.new
	[ -s /tmp/pkgs.new ] && echo "fresh-check: $name installed $(wc -l </tmp/pkgs.new) packages:" \
	    $(grep -v '^lib' /tmp/pkgs.new) "(+ $(grep -c '^lib' /tmp/pkgs.new) lib*)"
	if [ $rc -ne 0 ] || [ -z "$sum" ]; then
		status=1
		grep -E '^(FAIL|ERROR)|make: |danelab: |apt-get: |not found' /tmp/step.out | head -n 20 | sed 's/^/    /'
	fi
}
cd /root/danelab
step prerequisite sh -c "$(cat /fresh-prereq)"
step root-run make run
step root-check make check
useradd -m -s /bin/bash user
cp -a /fresh-clone /home/user/danelab && chown -R user:user /home/user/danelab
echo "fresh-check: the user's login PATH: $(su - user -c 'echo $PATH')"
step user-run su - user -c 'cd danelab && make run'
exit $status
EOF
chmod 755 "$root/fresh-inner.sh"
cp -a "$root/root/danelab" "$root/fresh-clone"
mkdir "$cache/log" 2>/dev/null || true
mkdir "$root/fresh-log"

# Enter: private mounts and pids; root becomes / with pivot_root; the old
# root is detached so nothing of the host's files is reachable inside.
# --kill-child: if this script dies, so does everything inside.
rc=0
unshare --mount --pid --fork --kill-child --propagation private sh -eu -c '
	r=$1
	mount --bind "$r" "$r"
	mount -t proc proc "$r/proc"
	mount --rbind /sys "$r/sys"
	mount --rbind /dev "$r/dev"
	mount -t tmpfs tmpfs "$r/tmp"
	mount -t tmpfs tmpfs "$r/run"
	mkdir -p "$r/.oldroot"
	cd "$r"
	pivot_root . .oldroot
	umount -l /.oldroot
	rmdir /.oldroot
	exec /fresh-inner.sh
' fresh "$root" || rc=$?
cp "$root"/fresh-log/*.log "$cache/log/" 2>/dev/null || true
t2=$(date +%s)
echo "fresh-check: load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (at the start: $load0)"
echo "fresh-check: debootstrap $((t1 - t0)) s$( [ $((t1 - t0)) -le 2 ] && echo ' (cached)'), inside $((t2 - t1)) s, total $((t2 - t0)) s; logs in build/fresh/log/"
[ $rc -eq 0 ] && echo "fresh-check: PASS" || echo "fresh-check: FAIL"
exit $rc
