#!/bin/sh
# tests/e2e/pki.sh -- bin/dl-pki from the outside: what other parts' tests
# rely on (files, chain order, dates at --now, TLSA output) checked with the
# openssl command line, then a real DANE handshake (openssl s_server with a
# dl-pki chain, s_client with dl-pki TLSA data) inside a private network
# namespace.
set -u
cd "$(dirname "$0")/../.." || exit 2
BIN=${DANELAB_BIN:-bin}
BIN=$(cd "$BIN" && pwd)
T=e2e/pki
NOW=1800000000
D=$(mktemp -d /tmp/danelab-e2e-pki.XXXXXX)
trap 'rm -rf "$D"' EXIT INT TERM
P="$BIN/dl-pki --dir $D/pki --now $NOW"

check() {	# check NAME GOT WANT
	if [ "$2" = "$3" ]; then echo "PASS $T/$1"
	else echo "FAIL $T/$1: got '$2', want '$3'"; fi
}

fp() { openssl x509 -noout -fingerprint -sha256 -in "$1" 2>&1; }

# --- a lab: root, intermediate, leaves, attacker -------------------------
$P issue root ca -- issue int issuer=root ca pathlen=0 \
   -- issue mx1 issuer=int san=mx1.a.test cn=mx1.a.test \
   -- issue mx1-exp key=mx1 issuer=int san=mx1.a.test validity=expired \
   -- issue att ca -- issue mx1-att issuer=att san=mx1.a.test \
   -- issue rsa type=rsa issuer=int san=mx1.a.test 2>"$D/err"
check issue_rc "$? $(cat "$D/err")" "0 "

v=$(openssl verify -attime $NOW -CAfile "$D/pki/root.crt" \
    -untrusted "$D/pki/int.crt" "$D/pki/mx1.crt" 2>&1)
check verify_at_now "$v" "$D/pki/mx1.crt: OK"
v=$(openssl verify -attime $((NOW + 400 * 86400)) -CAfile "$D/pki/root.crt" \
    -untrusted "$D/pki/int.crt" "$D/pki/mx1.crt" 2>&1 | grep -c 'at 0 depth.*has expired')
check dates_follow_now "$v" 1
v=$(openssl verify -attime $NOW -CAfile "$D/pki/root.crt" \
    -untrusted "$D/pki/int.crt" "$D/pki/mx1-exp.crt" 2>&1 | grep -c 'has expired')
check expired_variant "$v" 1
v=$(openssl verify -attime $NOW -CAfile "$D/pki/root.crt" "$D/pki/mx1-att.crt" \
    2>&1 | grep -c 'unable to get local issuer')
check attacker_not_under_root "$v" 1
v=$(openssl x509 -in "$D/pki/rsa.crt" -noout -text | grep -c 'Public-Key: (2048 bit)')
check rsa_2048 "$v" 1
v=$(openssl x509 -in "$D/pki/mx1-exp.crt" -noout -pubkey)
check reissue_same_key "$v" "$(openssl x509 -in "$D/pki/mx1.crt" -noout -pubkey)"

# --- chain files: order as asked, key of the first ----------------------
$P chain "$D/c.pem" "$D/k.pem" mx1 root int 2>"$D/err"
check chain_rc "$? $(cat "$D/err")" "0 "
csplit -s -z -f "$D/part" "$D/c.pem" '/-----BEGIN CERTIFICATE-----/' '{*}'
got="$(fp "$D/part00") $(fp "$D/part01") $(fp "$D/part02")"
want="$(fp "$D/pki/mx1.crt") $(fp "$D/pki/root.crt") $(fp "$D/pki/int.crt")"
check chain_order "$got" "$want"
check chain_count "$(grep -c 'BEGIN CERTIFICATE' "$D/c.pem")" 3
check chain_key "$(openssl pkey -in "$D/k.pem" -pubout)" \
    "$(openssl x509 -in "$D/pki/mx1.crt" -noout -pubkey)"
check key_mode "$(stat -c %a "$D/k.pem")" 600

# --- TLSA output ---------------------------------------------------------
want=$(openssl x509 -in "$D/pki/mx1.crt" -noout -pubkey |
    openssl pkey -pubin -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1)
check tlsa_id_311 "$($P tlsa-id mx1 1 1)" "$want"
check tlsa_file_311 "$("$BIN/dl-pki" tlsa "$D/pki/mx1.crt" 1 1)" "$want"
check tlsa_key_11 "$($P tlsa-key mx1 1)" "$want"
want=$(openssl x509 -in "$D/pki/int.crt" -outform DER | openssl dgst -sha512 -r |
    cut -d' ' -f1)
check tlsa_id_202 "$($P tlsa-id int 0 2)" "$want"

# --- errors --------------------------------------------------------------
printf 'issue b1 ca\n\n# comment\nissue b2 issuer=b1 colour=red\n' >"$D/batch"
$P batch "$D/batch" 2>"$D/err"
check batch_error_rc $? 1
check batch_error_line "$(grep -c "$D/batch:4: .*colour=red" "$D/err")" 1
check failed_run_saves_nothing "$(ls "$D/pki" | grep -c '^b1\.')" 0
$P issue mx1 2>/dev/null
check duplicate_id_rc $? 1
"$BIN/dl-pki" 2>/dev/null
check usage_rc $? 2

# --- a real DANE handshake in a private namespace ------------------------
if ! unshare --user --map-root-user --net true 2>/dev/null; then
	echo "SKIP $T/dane_handshake: no user+net namespaces here"
	exit 0
fi
ee=$($P tlsa-id mx1 1 1)
ta=$($P tlsa-id int 0 1)
D="$D" NOW="$NOW" EE="$ee" TA="$ta" ATT="$($P tlsa-id mx1-att 1 1)" T="$T" \
unshare --user --map-root-user --net --pid --fork --mount-proc --kill-child sh -c '
	ip link set lo up
	check() { if [ "$2" = "$3" ]; then echo "PASS $T/$1"
		else echo "FAIL $T/$1: got '\''$2'\'', want '\''$3'\''"; fi; }
	openssl s_server -quiet -accept 127.0.0.1:4433 -naccept 10 \
	    -cert "$D/pki/mx1.crt" -key "$D/k.pem" -cert_chain "$D/pki/int.crt" \
	    >/dev/null 2>&1 &
	client() {	# client RRDATA HOST -> "ok" or "fail"
		if echo | openssl s_client -connect 127.0.0.1:4433 -brief \
		    -attime "$NOW" -verify_return_error -dane_ee_no_namechecks \
		    -dane_tlsa_domain "$2" -dane_tlsa_rrdata "$1" \
		    >"$D/sc.out" 2>&1; then echo ok; else echo fail; fi
	}
	i=0	# readiness: poll a real handshake, bounded
	until echo | openssl s_client -connect 127.0.0.1:4433 -brief \
	    >/dev/null 2>&1 || [ $i -ge 100 ]; do i=$((i + 1)); sleep 0.05; done
	check dane_ee_match "$(client "3 1 1 $EE" mx1.a.test)" ok
	check dane_ee_reports_depth0 \
	    "$(grep -c "TLSA 3 1 1 .*matched EE certificate at depth 0" "$D/sc.out")" 1
	check dane_ta_match "$(client "2 0 1 $TA" mx1.a.test)" ok
	check dane_ta_wrong_name "$(client "2 0 1 $TA" mx2.a.test)" fail
	check dane_ee_other_key "$(client "3 1 1 $ATT" mx1.a.test)" fail
'
