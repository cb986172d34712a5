#!/bin/sh
# tests/e2e/smtpd.sh -- drive every persona and attacker of bin/dl-smtpd
# over real TLS inside a private network namespace, with real clients
# (openssl s_client, Python's ssl module over OpenSSL, bin/dl-smtpload),
# and assert the evidence lines.  Certificates come from bin/dl-pki at
# test time.  One PASS/FAIL/SKIP line per check.
set -u
cd "$(dirname "$0")/../.." || exit 2
BIN=${DANELAB_BIN:-bin}
for p in dl-smtpd dl-pki dl-smtpload; do
	if [ ! -x "$BIN/$p" ]; then
		echo "FAIL e2e/smtpd/build: got no $BIN/$p, want it built (make)"
		exit 1
	fi
done
if ! unshare --user --map-root-user --net true 2>/dev/null; then
	echo "SKIP e2e/smtpd/all: cannot create a user+network namespace"
	exit 0
fi
command -v python3 >/dev/null || { echo "SKIP e2e/smtpd/all: missing tool: python3"; exit 0; }

T=$(mktemp -d /tmp/danelab-e2e-smtpd.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
NOW=$(date +%s)
P="$BIN/dl-pki --dir $T/pki --now $NOW"
$P issue root ca cn=e2e-root -- issue int issuer=root ca pathlen=0 cn=e2e-int \
   -- issue mx1 issuer=int san=mx1.e2e.test cn=mx1.e2e.test \
   -- issue mx2 issuer=int san=mx2.e2e.test cn=mx2.e2e.test \
   -- issue evil ca cn=evil-ca -- issue evil-leaf issuer=evil san=mx1.e2e.test \
   -- chain "$T/mx1.pem" "$T/mx1-key.pem" mx1 int \
   -- chain "$T/mx2.pem" "$T/mx2-key.pem" mx2 int \
   -- chain "$T/evil.pem" "$T/evil-key.pem" evil-leaf evil \
   -- chain "$T/root.pem" - root \
   -- chain "$T/evil-root.pem" - evil || {
	echo "FAIL e2e/smtpd/pki: got dl-pki failure, want certificates"; exit 1; }

MX1="cert $T/mx1.pem $T/mx1-key.pem leaf-mx1"
cat >"$T/personas.conf" <<CONF
# personas for tests/e2e/smtpd.sh
persona e2e/plain
  listen 127.16.0.1 25
  hostname mx1.e2e.test
  $MX1
persona e2e/v6
  listen fdda:9e1a:b000:1:0::1 25
  $MX1
persona e2e/nostarttls
  listen 127.16.0.2 25
  starttls no
persona e2e/s454
  listen 127.16.0.3 25
  starttls-reply 454
persona e2e/sclose
  listen 127.16.0.4 25
  starttls-reply close
persona e2e/tls10
  listen 127.16.0.5 25
  tls-min 1.0
  tls-max 1.0
  $MX1
persona e2e/sni
  listen 127.16.0.6 25
  $MX1
  sni mx2.e2e.test $T/mx2.pem $T/mx2-key.pem leaf-mx2
persona e2e/reqsni
  listen 127.16.0.7 25
  sni mx1.e2e.test $T/mx1.pem $T/mx1-key.pem leaf-mx1
  require-sni yes
persona e2e/abortclose
  listen 127.16.0.8 25
  handshake-abort close
persona e2e/abortalert
  listen 127.16.0.9 25
  $MX1
  handshake-abort alert access_denied
persona e2e/codes
  listen 127.16.0.10 25
  $MX1
  reply rcpt 550 5.1.1 no such user
persona e2e/eod451
  listen 127.16.0.11 25
  $MX1
  reply eod 451 4.3.0 try again
persona e2e/slow
  listen 127.16.0.12 25
  $MX1
  delay mail 300
  silent eod
persona e2e/closeconn
  listen 127.16.0.13 25
  close-on-connect yes
persona e2e/readv
  listen 127.16.0.14 25
  $MX1
  readvertise-starttls yes
persona e2e/inject
  listen 127.16.0.15 25
  $MX1
  inject 250-INJECTED\r\n
persona e2e/genuine
  listen 127.16.0.129 25
  hostname genuine.e2e.test
  $MX1
persona e2e/strip
  listen 127.16.0.16 25
  attack strip-starttls
  relay 127.16.0.129 25
persona e2e/serr
  listen 127.16.0.17 25
  attack starttls-error 454
  relay 127.16.0.129 25
persona e2e/swap
  listen 127.16.0.18 25
  attack swap-cert $T/evil.pem $T/evil-key.pem evil-leaf
  relay 127.16.0.129 25
persona e2e/pass
  listen 127.16.0.19 25
  attack passthrough
  relay 127.16.0.129 25
persona e2e/stripnorelay
  listen 127.16.0.20 25
  attack strip-starttls garble
persona e2e/anon
  listen 127.16.0.21 25
  anon yes
  tls-max 1.2
persona e2e/deadrelay
  listen 127.16.0.22 25
  attack strip-starttls
  relay 127.0.55.1 25
CONF
printf 'persona bad\n  listen 127.16.0.1 25\n  starttls-reply maybe\n' >"$T/bad.conf"

export T BIN
unshare --user --map-root-user --net --pid --fork --mount-proc --kill-child \
    sh -c 'ip link set lo up && ip -6 addr add fdda:9e1a:b000:1:0::1/128 dev lo &&
           exec python3 tests/e2e/smtpd_driver.py' 2>"$T/stderr"
rc=$?
if [ $rc -ne 0 ]; then
	echo "FAIL e2e/smtpd/driver: got exit status $rc, want 0"
	tail -20 "$T/stderr" >&2
	exit 1
fi
exit 0
