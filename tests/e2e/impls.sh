#!/bin/sh
# DANE implementations beside the MTAs (issue 18): each is provisioned into
# build/, runs the whole catalog and must exit 0 with exactly its documented
# deviations (runner/adapters/NAME.expect).  For mx-connect, two cases of
# this script's own tell its DNSSEC blindness apart from its SPKI(1) bug
# (which hides it in the catalog), and show that it asks only the resolver
# the runner names.
set -u
cd "$(dirname "$0")/../.." || exit 2
BIN=${DANELAB_BIN:-bin}
T=$(mktemp -d /tmp/danelab-e2e-impls.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
fails=0

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP e2e/impls/mx-connect: the lab needs real root"
	exit 0
fi

# --- mx-connect (Node.js) ---
# mx-connect 1.6.0's dependency mailauth declares node >= 20.18.1; Debian
# 12's own nodejs is 18.  An older Node is a platform that cannot run it,
# not a missing tool: say so and test nothing of it.
if ! command -v node >/dev/null 2>&1; then
	echo "SKIP e2e/impls/mx-connect: missing tool: node (scripts/deps.sh test installs it)"
	exit 0
fi
if ! node -e 'const [a, b, c] = process.versions.node.split(".").map(Number);
	process.exit(a > 20 || (a === 20 && (b > 18 || (b === 18 && c >= 1))) ? 0 : 1)'; then
	echo "SKIP e2e/impls/mx-connect: Node.js $(node --version) is older than mx-connect 1.6.0's dependencies need (>= 20.18.1; Debian 12 ships 18)"
	exit 0
fi
if scripts/node-provision.sh >"$T/prov.out" 2>&1; then
	echo "PASS e2e/impls/mx-connect-provisioned"
else
	echo "FAIL e2e/impls/mx-connect-provisioned: $(tail -n 2 "$T/prov.out" | tr '\n' ' ')"
	exit 1
fi
"$BIN/danelab" run --adapter mx-connect --json "$T/mx-connect.json" >"$T/mx-connect.out" 2>&1
rc=$?
awk '$1 ~ /^(PASS|XFAIL|INFO|NON-STRICT)$/ && NF >= 2 { print "PASS e2e/impls/mx-connect/" $2 " (" $1 ")" }
     $1 ~ /^(FAIL|ERROR|XPASS)$/ && NF >= 2 { print "FAIL e2e/impls/mx-connect/" $2 ": " $1 }
     $1 ~ /^UNSUPPORTED$/ && NF >= 2 { print "SKIP e2e/impls/mx-connect/" $2 ": unsupported" }' "$T/mx-connect.out"
if [ $rc -eq 0 ]; then echo "PASS e2e/impls/mx-connect-as-documented"; else
	echo "FAIL e2e/impls/mx-connect-as-documented: danelab exited $rc"; fails=$((fails + 1))
	sed 's/^/    /' "$T/mx-connect.out" | grep -v '^    PASS' | head -30
fi

# Most of the catalog's insecure and forged TLSA records are SPKI(1) ones,
# which mx-connect 1.6.0 never matches, so their FAILs alone would not show
# that it also applies TLSA records it should ignore.  Cert(0) records do
# match, so in the catalog's two Cert(0) cases a deferral can only come from
# applying the record:
#  - tlsa-insecure-ignored-cert0: an insecure TLSA RRset that does not match;
#  - resolver-untrusted-forged-cert0: a forged MX and TLSA from the untrusted
#    resolver path (AD=1 claimed on an unsigned zone); the forged MX names mx2,
#    which only that path serves: a client that reached mx2 asked
#    DANELAB_RESOLVER (127.0.54.2), neither the sandbox's /etc/resolv.conf
#    (127.0.0.1) nor the host's.
"$BIN/danelab" run --adapter mx-connect --keep "$T/keep" --expect /dev/null \
	tlsa-insecure-ignored-cert0 resolver-untrusted-forged-cert0 >"$T/node.out" 2>&1
for c in tlsa-insecure-ignored-cert0 resolver-untrusted-forged-cert0; do
	log=$T/keep/$c/client.log
	if grep -q "^FAIL  *$c " "$T/node.out" &&
	    grep -q 'DANE verification failed for mx[12][.a-z0-9-]*: Certificate did not match any TLSA record' "$log"; then
		echo "PASS e2e/impls/mx-connect-applies-$c (deferred on the record it should ignore)"
	else
		echo "FAIL e2e/impls/mx-connect-applies-$c: $(grep -A2 " $c " "$T/node.out" | tr '\n' ' ')"
		fails=$((fails + 1))
	fi
done
log=$T/keep/resolver-untrusted-forged-cert0/client.log
if grep -q '^[^ ]* resolver 127\.0\.54\.2 (dns.getServers(): 127\.0\.54\.2)' "$log" &&
    grep -q 'mx-connect: mx2\.org\.resolver-untrusted-forged-cert0\.test\[' "$log" &&
    ! grep -q 'mx1\.org' "$log"; then
	echo "PASS e2e/impls/mx-connect-only-the-named-resolver"
else
	echo "FAIL e2e/impls/mx-connect-only-the-named-resolver: $(head -n 3 "$log" 2>/dev/null | tr '\n' ' ')"
	fails=$((fails + 1))
fi
[ $fails -eq 0 ]
