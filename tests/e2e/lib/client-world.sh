# tests/e2e/lib/client-world.sh -- sourced by tests/e2e/client.sh and
# bench/client.sh inside their private namespace: builds the DNSSEC world
# (signed root, test., one zone per scenario; NSD on 127.0.53.1, Unbound on
# 127.0.0.1), a lab PKI with the openssl command line, and the SMTP
# servers (bin/dl-smtpd personas) on 127.16.0.N.  Needs ROOT and BIN; sets W (the
# scratch directory, removed on exit unless DL_E2E_KEEP is set), and the
# functions pass/fail/A.  Zone names, addresses and server modes are the
# scenario table of tests/e2e/client.sh.
ip link set lo up
W=$(mktemp -d /tmp/dl-e2e-client.XXXXXX)
cleanup() {
	for p in $W/*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done
	if [ -n "${DL_E2E_KEEP:-}" ]; then echo "kept $W" >&2; else rm -rf "$W"; fi
}
trap cleanup EXIT INT TERM
cd "$W" || exit 1
fails=0
pass() { echo "PASS e2e/client/$1"; }
fail() { echo "FAIL e2e/client/$1: $2"; fails=$((fails + 1)); }

# ---- PKI (openssl command line) ----
ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }
selfsigned() { # name cn
	ec "$1"
	openssl req -x509 -new -key "$1.key" -out "$1.pem" -days 30 -subj "/CN=$2" \
	    -addext "subjectAltName=DNS:$2" 2>/dev/null
}
issued() { # name san (signed by ca; chain file name.chain = leaf + ca)
	ec "$1"
	openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
	printf 'subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\n' "$2" >"$1.ext"
	openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial \
	    -days 30 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
	cat "$1.pem" ca.pem >"$1.chain"
}
ec ca
openssl req -x509 -new -key ca.key -out ca.pem -days 60 -subj "/CN=danelab e2e CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" 2>/dev/null
selfsigned leaf1 unrelated.invalid
selfsigned other other.invalid
issued tagood mx.ta.test
issued tawrong wrong.invalid
issued wild 'm*.wild.test'
issued xagil mx.xagil.test
# A rogue CA of its own and a leaf it issued, sent with a copy of ca.pem
# (ta-anywhere-in-chain: the TA is in the chain, the leaf is not under it).
ec rogue
openssl req -x509 -new -key rogue.key -out rogue.pem -days 60 -subj "/CN=rogue CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" 2>/dev/null
ec forged
openssl req -new -key forged.key -out forged.csr -subj "/CN=mx.tarogue.test" 2>/dev/null
printf 'subjectAltName=DNS:mx.tarogue.test\nbasicConstraints=CA:FALSE\n' >forged.ext
openssl x509 -req -in forged.csr -CA rogue.pem -CAkey rogue.key -CAcreateserial \
    -days 30 -extfile forged.ext -out forged.pem 2>/dev/null
cat forged.pem rogue.pem ca.pem >forged.chain
for c in leaf1 other; do cp $c.pem $c.chain; done
spki() { openssl x509 -in "$1.pem" -pubkey -noout | openssl pkey -pubin -outform DER 2>/dev/null | openssl dgst -"$2" -r | cut -d' ' -f1; }
certh() { openssl x509 -in "$1.pem" -outform DER | openssl dgst -"$2" -r | cut -d' ' -f1; }
L1=$(spki leaf1 sha256); OT=$(spki other sha256); OT512=$(spki other sha512)
CA=$(certh ca sha256)

# ---- zones: one file per zone, "secure" or "insecure" ----
A() { echo "127.16.0.$1"; }
zone() { # name mode; records on stdin
	z=$1
	{ printf '$ORIGIN %s.test.\n$TTL 300\n@ SOA ns1.test. h.test. 1 3600 600 86400 300\n@ NS ns1.test.\n' "$z"
	  cat; } >"$z.zone"
	echo "$z $2" >>zones.list
}
zone ok secure <<Z
@ MX 10 mx
mx A $(A 1)
_25._tcp.mx TLSA 3 1 1 $L1
Z
zone mismatch secure <<Z
@ MX 10 mx
mx A $(A 2)
_25._tcp.mx TLSA 3 1 1 $OT
Z
zone insec insecure <<Z
@ MX 10 mx
mx A $(A 3)
_25._tcp.mx TLSA 3 1 1 $OT
_25._tcp.t TLSA 3 1 1 $OT
Z
zone bog secure <<Z
@ MX 10 mx1
@ MX 20 mx2
mx1 A $(A 4)
mx2 A $(A 5)
_25._tcp.mx1 TLSA 3 1 1 $L1
_25._tcp.mx2 TLSA 3 1 1 $L1
Z
zone tbog secure <<Z
@ MX 10 mx
mx A $(A 6)
_25._tcp.mx TLSA 3 1 1 $OT
Z
zone notls secure <<Z
@ MX 10 mx
mx A $(A 7)
Z
zone strip secure <<Z
@ MX 10 mx
mx A $(A 8)
_25._tcp.mx TLSA 3 1 1 $L1
Z
zone pkix secure <<Z
@ MX 10 mx
mx A $(A 9)
_25._tcp.mx TLSA 1 1 1 $L1
Z
zone agil secure <<Z
@ MX 10 mx
mx A $(A 10)
_25._tcp.mx TLSA 3 1 1 $L1
_25._tcp.mx TLSA 3 1 2 $OT512
Z
zone ta secure <<Z
@ MX 10 mx
mx A $(A 11)
_25._tcp.mx TLSA 2 0 1 $CA
Z
zone taname secure <<Z
@ MX 10 mx
mx A $(A 12)
_25._tcp.mx TLSA 2 0 1 $CA
Z
zone sni secure <<Z
@ MX 10 mx
mx A $(A 13)
_25._tcp.mx TLSA 3 1 1 $L1
Z
zone inj secure <<Z
@ MX 10 mx
mx A $(A 14)
_25._tcp.mx TLSA 3 1 1 $L1
Z
zone insmx insecure <<Z
@ MX 10 mx.ok.test.
Z
zone pref secure <<Z
@ MX 10 mx1
@ MX 20 mx2
mx1 A $(A 15)
mx2 A $(A 16)
_25._tcp.mx2 TLSA 3 1 1 $L1
Z
zone mxbog secure <<Z
@ MX 10 mx
@ A $(A 17)
mx A $(A 17)
Z
zone tins secure <<Z
@ MX 10 mx
mx A $(A 18)
_25._tcp.mx CNAME _25._tcp.t.insec.test.
Z
zone cn secure <<Z
alias CNAME host
host A $(A 19)
_25._tcp.alias TLSA 3 1 1 $L1
Z
zone wild secure <<Z
@ MX 10 mx
mx A $(A 20)
_25._tcp.mx TLSA 2 0 1 $CA
Z
zone nullmx secure <<Z
@ MX 0 .
@ A $(A 21)
Z
zone twice secure <<Z
@ MX 10 mx
mx A $(A 22)
_25._tcp.mx TLSA 3 1 1 $L1
Z
zone port secure <<Z
mx A $(A 23)
_2525._tcp.mx TLSA 3 1 1 $L1
_25._tcp.mx TLSA 3 1 1 $OT
Z
zone secmx secure <<Z
@ MX 10 mx.insdead.test.
Z
zone insdead insecure <<Z
mx A $(A 24)
_tcp.mx NS dead.insdead.test.
dead A 127.0.55.1
Z
zone v6 secure <<Z
@ MX 10 mx
mx AAAA fdda:9e1a:b000:1:0::1a
mx A $(A 26)
_25._tcp.mx TLSA 3 1 1 $L1
Z
zone xagil secure <<Z
@ MX 10 mx
mx A $(A 27)
_25._tcp.mx TLSA 2 0 1 $CA
_25._tcp.mx TLSA 3 1 2 $OT512
Z
zone tarogue secure <<Z
@ MX 10 mx
mx A $(A 28)
_25._tcp.mx TLSA 2 0 1 $CA
Z
zone xsni secure <<Z
@ MX 10 mx1
@ MX 20 mx.sni.test.
mx1 A $(A 2)
_25._tcp.mx1 TLSA 3 1 1 $OT
Z
zone unus secure <<Z
@ MX 10 mx
mx A $(A 25)
_25._tcp.mx TLSA 3 1 9 00
Z

# Sign: children, then test. (with their DS), then the root.
INC=$(date -u -d '-1 day' +%Y%m%d%H%M%S); EXP=$(date -u -d '+30 days' +%Y%m%d%H%M%S)
sign() { # origin file
	k=$(ldns-keygen -a ECDSAP256SHA256 -k "$1") || return 1
	ldns-signzone -i "$INC" -e "$EXP" -o "$1" -f "$2.signed" "$2" "$k" || return 1
	cat "$k.ds"
}
corrupt() { # file owner type: break that RRset's signature
	awk -v o="$2" -v t="$3" '$1 == o && $4 == "RRSIG" && $5 == t {
		s = $NF; $NF = (substr(s, 1, 1) == "A" ? "B" : "A") substr(s, 2) } { print }' \
	    "$1" >"$1.tmp" && mv "$1.tmp" "$1"
}
{ printf '$ORIGIN test.\n$TTL 300\n@ SOA ns1.test. h.test. 1 3600 600 86400 300\n@ NS ns1.test.\nns1 A 127.0.53.1\n'
} >test.zone
while read -r z mode; do
	echo "$z NS ns1.test." >>test.zone
	if [ "$mode" = secure ]; then
		sign "$z.test." "$z.zone" >>test.zone || { fail setup "signing $z"; exit 1; }
	fi
done <zones.list
corrupt bog.zone.signed _25._tcp.mx1.bog.test. TLSA
corrupt tbog.zone.signed _25._tcp.mx.tbog.test. TLSA
corrupt mxbog.zone.signed mxbog.test. MX
printf '$ORIGIN .\n$TTL 300\n. SOA a.root. h.test. 1 3600 600 86400 300\n. NS a.root.\na.root. A 127.0.53.1\ntest. NS ns1.test.\nns1.test. A 127.0.53.1\n' >root.zone
sign test. test.zone >>root.zone || { fail setup "signing test."; exit 1; }
sign . root.zone >root.ds || { fail setup "signing root"; exit 1; }

cat >nsd.conf <<C
server:
	ip-address: 127.0.53.1
	port: 53
	username: ""
	chroot: ""
	zonesdir: "$W"
	database: ""
	pidfile: "$W/nsd.pid"
	logfile: "$W/nsd.log"
	xfrdfile: "$W/xfrd.state"
	zonelistfile: "$W/zone.list"
	xfrdir: "$W"
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
	server-count: 1
remote-control:
	control-enable: no
zone:
	name: "."
	zonefile: "root.zone.signed"
zone:
	name: "test."
	zonefile: "test.zone.signed"
C
while read -r z mode; do
	f=$z.zone; [ "$mode" = secure ] && f=$z.zone.signed
	printf 'zone:\n\tname: "%s.test."\n\tzonefile: "%s"\n' "$z" "$f" >>nsd.conf
done <zones.list
printf '. NS a.root.\na.root. A 127.0.53.1\n' >root.hints
cat >unbound.conf <<C
server:
	interface: 127.0.0.1
	port: 53
	username: ""
	chroot: ""
	directory: "$W"
	pidfile: "$W/unbound.pid"
	logfile: "$W/unbound.log"
	use-syslog: no
	do-ip6: no
	do-not-query-localhost: no
	access-control: 127.0.0.0/8 allow
	root-hints: "$W/root.hints"
	trust-anchor-file: "$W/root.ds"
	local-zone: "test." nodefault
	aggressive-nsec: no
	qname-minimisation: no
	unknown-server-time-limit: 100
	infra-cache-max-rtt: 250
	val-log-level: 2
remote-control:
	control-enable: no
C
ip addr add 127.0.53.1/32 dev lo 2>/dev/null
ip -6 addr add fdda:9e1a:b000:1::1a/128 dev lo 2>/dev/null
nsd -d -c nsd.conf >nsd.out 2>&1 & echo $! >nsd.run.pid
unbound -d -c unbound.conf >unbound.out 2>&1 & echo $! >unbound.run.pid

# ---- SMTP servers: bin/dl-smtpd, one persona per address ----
# N PORT MODE CHAIN KEY [SNINAME=CHAIN:KEY]; MODE starttls, notls (STARTTLS
# not offered), inject (a 250 after the 220 to STARTTLS, in the same
# cleartext write), twice (STARTTLS offered again inside TLS).
S=starttls
cat >servers.tab <<C
1 25 $S leaf1.chain leaf1.key
2 25 $S leaf1.chain leaf1.key
3 25 $S leaf1.chain leaf1.key
4 25 $S leaf1.chain leaf1.key
5 25 $S leaf1.chain leaf1.key
6 25 $S leaf1.chain leaf1.key
7 25 notls leaf1.chain leaf1.key
8 25 notls leaf1.chain leaf1.key
9 25 $S leaf1.chain leaf1.key
10 25 $S leaf1.chain leaf1.key
11 25 $S tagood.chain tagood.key
12 25 $S tawrong.chain tawrong.key
13 25 $S other.chain other.key mx.sni.test=leaf1.chain:leaf1.key
14 25 inject leaf1.chain leaf1.key
15 25 $S leaf1.chain leaf1.key
16 25 $S leaf1.chain leaf1.key
17 25 $S leaf1.chain leaf1.key
18 25 $S leaf1.chain leaf1.key
19 25 notls leaf1.chain leaf1.key
20 25 $S wild.chain wild.key
21 25 $S leaf1.chain leaf1.key
22 25 twice leaf1.chain leaf1.key
23 2525 $S leaf1.chain leaf1.key
24 25 $S leaf1.chain leaf1.key
25 25 notls leaf1.chain leaf1.key
27 25 $S xagil.chain xagil.key
28 25 $S forged.chain forged.key
C
# IPv6: the v6.test host listens on its AAAA address only (127.16.0.26
# refuses connections).
printf 'persona v6\n  listen fdda:9e1a:b000:1:0::1a 25\n  cert leaf1.chain leaf1.key\n' >personas.v6
awk '{
	printf "persona s%s\n  listen 127.16.0.%s %s\n  hostname h%s.danelab.test\n  cert %s %s\n", $1, $1, $2, $1, $4, $5
	if ($3 == "notls") print "  starttls no"
	if ($3 == "inject") print "  inject 250 2.0.0 injected\\r\\n"
	if ($3 == "twice") print "  readvertise-starttls yes"
	if (NF > 5) { split($6, a, "[=:]"); printf "  sni %s %s %s\n", a[1], a[2], a[3] }
}' servers.tab >personas.conf
cat personas.v6 >>personas.conf
"$BIN/dl-smtpd" -c personas.conf --evidence "$W/evidence.jsonl" --control "$W/smtpd.sock" \
    --ready-fd 3 3>smtpd.ready >smtpd.out 2>&1 & echo $! >smtpd.run.pid
# smtp_sync: wait until dl-smtpd has closed (and written evidence for) every
# connection, so evidence checks see the client's last session.
smtp_sync() {
	python3 -c '
import socket, sys, time
for _ in range(500):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
    s.sendall(b"sync\n"); r = s.makefile().readline(); s.close()
    if r.strip() == "open 0": sys.exit(0)
    time.sleep(0.01)
sys.exit(1)' "$W/smtpd.sock"
}

# Readiness: a validated answer through Unbound, and the servers bound.
i=0
until drill -D @127.0.0.1 ok.test MX 2>/dev/null | grep -q 'flags:.* ad'; do
	i=$((i + 1)); [ $i -gt 200 ] && { fail setup "lab resolver never answered securely"; cat unbound.out nsd.out | tail -5; exit 1; }
	sleep 0.05
done
i=0
until [ -s smtpd.ready ]; do
	i=$((i + 1)); [ $i -gt 200 ] && { fail setup "SMTP servers not ready"; cat smtpd.out; exit 1; }
	sleep 0.05
done
pass setup
