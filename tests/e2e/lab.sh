#!/bin/sh
# The lab on its own: `danelab lab check` proves every DNSSEC mode, RRset
# fault, CNAME chain and DNS fault through the lab resolver (one line per
# probe), mail hosts are remote to the client (no address of theirs on its
# interfaces), and a daemon that cannot start is reported with its own log
# line, leaving nothing behind.
set -u
cd "$(dirname "$0")/../.." || exit 2
BIN=${DANELAB_BIN:-bin}
T=$(mktemp -d /tmp/danelab-e2e-lab.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
fails=0

"$BIN/danelab" lab check >"$T/check.out" 2>&1
rc=$?
# "PASS case name TYPE: status" -> one test line per probe.
awk '$1 == "PASS" || $1 == "FAIL" { l = $0; sub(/^(PASS|FAIL) [^ ]+ /, "", l);
	print $1 " e2e/lab/" $2 "/" l }' "$T/check.out"
if [ $rc -ne 0 ] || ! tail -n 1 "$T/check.out" | grep -q ' 0 failed$'; then
	echo "FAIL e2e/lab/check-exit: exit $rc, last line: $(tail -n 1 "$T/check.out")"
	fails=$((fails + 1))
fi

# Topology (docs/architecture.md): a client must see every mail host as
# remote.  A case whose only MX host has only an AAAA record is delivered
# over IPv6, while the client's own addresses (as an MTA reads them) hold no
# mail host's address, IPv4 or IPv6.
mkdir -p "$T/cases"
cat > "$T/cases/v6-topology.case" <<'CASE'
id       v6-topology
title    The only MX host has only an AAAA record: delivered over IPv6, authenticated
require  7672-2.2-a
level    conditional(ipv6)
tags     ipv6
scenario extra

cert ee1 key=K1 san=mx1

zone @ secure
    @             MX    10 mx1
    @             MX    20 mx2
    mx1           AAAA  $ADDR6(mx1)
    mx2           A     $ADDR(mx2)
    _25._tcp.mx1  TLSA  3 1 1 $TLSA(ee1 1 1)

host mx1 smtp chain=ee1
host mx2 closed

expect delivered mx1 dane
CASE
DANELAB_CASES="$T/cases" "$BIN/danelab" run --adapter tests/e2e/adapters/ifaddrs-probe \
	--keep "$T/keep" v6-topology >"$T/v6.out" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q '^PASS  *v6-topology' "$T/v6.out"; then
	echo "PASS e2e/lab/topology-ipv6-mx-delivered"
else
	echo "FAIL e2e/lab/topology-ipv6-mx-delivered: exit $rc, $(head -3 "$T/v6.out" | tr '\n' ' ')"
	fails=$((fails + 1))
fi
own="$T/keep/v6-topology/own-addresses"
if grep -q '^fdda:9e1a:b000::53 lo$' "$own" 2>/dev/null && grep -q '^127\.0\.0\.1 lo$' "$own"; then
	echo "PASS e2e/lab/topology-own-addresses-listed"
else
	echo "FAIL e2e/lab/topology-own-addresses-listed: $(tr '\n' ' ' < "$own" 2>&1)"
	fails=$((fails + 1))
fi
if [ -s "$own" ] && ! grep -q '^fdda:9e1a:b000:1:\|^127\.1[6-9]\.\|^127\.2[0-9]\.\|^127\.3[01]\.' "$own"; then
	echo "PASS e2e/lab/topology-no-mail-host-address-is-own"
else
	echo "FAIL e2e/lab/topology-no-mail-host-address-is-own: $(tr '\n' ' ' < "$own" 2>&1)"
	fails=$((fails + 1))
fi

# A name server that dies at start-up: a stand-in `nsd` earlier in PATH
# that says why and exits, as NSD does on a bad configuration.  It lives
# in the checkout, which the sandbox always keeps visible (its scratch
# tmpfs goes over /tmp, or over /var/tmp when the checkout is in /tmp).
mkdir -p build
F=$(mktemp -d "$PWD/build/e2e-fakebin.XXXXXX")
trap 'rm -rf "$T" "$F"' EXIT INT TERM
cat > "$F/nsd" <<'FAKE'
#!/bin/sh
echo "[nsd] error: simulated: can't bind udp socket: Address already in use" >&2
exit 1
FAKE
chmod +x "$F/nsd"
PATH="$F:$PATH" "$BIN/danelab" run tlsa-usable-match >"$T/dead.out" 2>&1
rc=$?
if [ $rc -eq 3 ]; then echo "PASS e2e/lab/daemon-fails-exit-3"; else
	echo "FAIL e2e/lab/daemon-fails-exit-3: got exit $rc, want 3"; fails=$((fails + 1)); fi
if grep -q "nsd2\{0,1\} exited (status 1): .*simulated: can't bind udp socket" "$T/dead.out"; then
	echo "PASS e2e/lab/daemon-fails-quotes-its-log"
else
	echo "FAIL e2e/lab/daemon-fails-quotes-its-log: $(head -3 "$T/dead.out")"
	fails=$((fails + 1))
fi

# A daemon that dies while a client works: the lab's failure, so ERROR
# (exit 3) with the daemon named, though the client's deferral would
# otherwise fail a case that wants delivery.
"$BIN/danelab" run --adapter tests/e2e/adapters/kills-unbound tlsa-usable-match \
	>"$T/died.out" 2>&1
rc=$?
if [ $rc -eq 3 ] && grep -q '^ERROR  *tlsa-usable-match' "$T/died.out" &&
    grep -q 'a lab daemon died (the lab.s failure, not the client.s): unbound exited' "$T/died.out"
then
	echo "PASS e2e/lab/daemon-dies-mid-run-is-error"
else
	echo "FAIL e2e/lab/daemon-dies-mid-run-is-error: exit $rc: $(grep -v '^ *$' "$T/died.out" | head -4 | tr '\n' ' ')"
	fails=$((fails + 1))
fi
# The lab module alone (lab/lab.h, no case types): a world with a zone in
# every state (secure, insecure, bogus, behind the fault proxy with a
# servfail rule, on a dead server) proven, switched to round 2 (a name that
# only round 2 has must resolve secure) and taken down.
if "$BIN/dl-labbench" --zones 10 --runs 1 >"$T/labbench.out" 2>&1 &&
    grep -q '^0 probe(s) failed' "$T/labbench.out"; then
	echo "PASS e2e/lab/lab-api-without-cases"
else
	echo "FAIL e2e/lab/lab-api-without-cases: $(grep -v '^run' "$T/labbench.out" | head -4 | tr '\n' ' ')"
	fails=$((fails + 1))
fi
if ls -d /tmp/danelab /var/tmp/danelab >/dev/null 2>&1; then
	echo "FAIL e2e/lab/daemon-fails-leaves-nothing: scratch directory visible"
	fails=$((fails + 1))
else
	echo "PASS e2e/lab/daemon-fails-leaves-nothing"
fi
[ $fails -eq 0 ]
