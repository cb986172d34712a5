#!/bin/sh
# tests/e2e/client.sh -- bin/dl-client against a real DNSSEC world.
#
# Builds, inside a private user+net+pid namespace, a signed root, test.
# and one zone per scenario (ldns-keygen/ldns-signzone; bogus RRsets by
# corrupting one RRSIG), serves them with NSD on 127.0.53.1, validates
# with Unbound on 127.0.0.1 (root trust anchor), and runs SMTP servers
# (bin/dl-smtpd personas: real TLS, JSON evidence) on 127.16.0.N.
# Then: the RFC 7672 scenarios with the conformant client, and every
# --violate flag on a scenario whose outcome it must change.
# Prints PASS/FAIL/SKIP lines "e2e/client/CHECK".
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${DANELAB_BIN:-bin}
case $BIN in /*) ;; *) BIN=$ROOT/$BIN ;; esac

if [ "${DL_E2E_INNER:-}" != 1 ]; then
	for t in nsd unbound ldns-keygen ldns-signzone drill jq python3 openssl; do
		command -v $t >/dev/null 2>&1 || PATH=$PATH:/usr/sbin
		if ! command -v $t >/dev/null 2>&1; then
			# tests/run turns this into a FAIL under CI=true.
			echo "SKIP e2e/client/all: missing tool: $t (scripts/deps.sh test installs it)"; exit 0
		fi
	done
	[ -x "$BIN/dl-client" ] || { echo "FAIL e2e/client/build: $BIN/dl-client missing"; exit 1; }
	export DL_E2E_INNER=1 BIN ROOT PATH="$PATH:/usr/sbin"
	exec unshare --user --map-root-user --net --pid --fork --mount-proc \
	    --kill-child sh "$0" "$@"
fi

. "$ROOT/tests/e2e/lib/client-world.sh"

printf 'From: <sender@lab.test>\nSubject: danelab e2e\n\n.leading dot\nbody\n' >msg
client() {
	"$BIN/dl-client" --resolver 127.0.0.1 --trust-anchor "$W/root.ds" \
	    --from sender@lab.test --message "$W/msg" --timeout 5 \
	    --connect-timeout 2 --seed 1 "$@"
}
# check NAME WANT ARGS...: WANT is disposition[/security][@host]
check() {
	name=$1 want=$2; shift 2
	out=$(client "$@" 2>"$W/last.err"); rc=$?
	printf '%s\n' "$out" >"$W/$name.json"
	got=$(printf '%s\n' "$out" | jq -r '.disposition + (if .security then "/" + .security else "" end) + (if .host then "@" + .host else "" end)' 2>/dev/null)
	case $want in
	*@*) ;;
	*) got=${got%@*} ;;
	esac
	case $want in
	*/*|*@*) ;;
	*) got=${got%/*} ;;
	esac
	if grep -q 'Sanitizer' "$W/last.err"; then
		fail "$name" "sanitizer report: $(grep -m1 Sanitizer "$W/last.err")"
	elif [ "$got" = "$want" ]; then pass "$name"; else fail "$name" "got $got (exit $rc), want $want"; fi
}

# no_mail NAME N: the server at 127.16.0.N never saw MAIL FROM (its own
# evidence agrees with the client's report).
# ev_count N JQ-FILTER: evidence lines of 127.16.0.N:25 matching the filter.
ev_count() {
	smtp_sync || { echo 999; return; }
	jq -s --arg l "$(A "$1"):25" "map(select(.listen == \$l and ($2))) | length" evidence.jsonl
}
no_mail() {
	n=$(ev_count "$2" '.mail_from != null')
	if [ "$n" != 0 ]; then
		fail "$1-server-evidence" "127.16.0.$2 received MAIL FROM ($n sessions)"
	else
		pass "$1-server-evidence"
	fi
}

# ---- the conformant client ----
check dane-ee-delivery delivered/dane@mx.ok.test --rcpt u@ok.test
check mismatch-deferred deferred --rcpt u@mismatch.test
no_mail mismatch-deferred 2
check insecure-tlsa-ignored delivered/encrypted --rcpt u@insec.test
check bogus-tlsa-skips-host delivered/dane@mx2.bog.test --rcpt u@bog.test
n=$(ev_count 4 true)
[ "$n" = 0 ] && pass bogus-tlsa-no-connect || fail bogus-tlsa-no-connect "mx1.bog.test was contacted $n times"
check bogus-tlsa-only-host-deferred deferred --rcpt u@tbog.test
no_mail bogus-tlsa-only-host-deferred 6
check secure-no-tlsa-cleartext delivered/cleartext --rcpt u@notls.test
check stripped-starttls-deferred deferred --rcpt u@strip.test
no_mail stripped-starttls-deferred 8
check pkix-only-encrypted delivered/encrypted --rcpt u@pkix.test
check digest-agility deferred --rcpt u@agil.test
no_mail digest-agility 10
check dane-ta-delivery delivered/dane --rcpt u@ta.test
check dane-ta-name-mismatch deferred --rcpt u@taname.test
no_mail dane-ta-name-mismatch 12
check sni-selects-cert delivered/dane --rcpt u@sni.test
check starttls-injection-discarded delivered/dane --rcpt u@inj.test
check insecure-mx-pre-dane delivered/encrypted --rcpt u@insmx.test
check insecure-mx-dane-only deferred --rcpt u@insmx.test --policy dane-only
check mx-preference-kept delivered/encrypted@mx1.pref.test --rcpt u@pref.test
check mx-bogus-deferred deferred --rcpt u@mxbog.test
check insecure-tlsa-via-cname delivered/encrypted --rcpt u@tins.test
check tlsa-at-original-name deferred --rcpt u@alias.cn.test
check dane-ta-partial-wildcard deferred --rcpt u@wild.test
check null-mx-bounced bounced --rcpt u@nullmx.test
check no-second-starttls delivered/dane --rcpt u@twice.test
n=$(ev_count 22 '.starttls.second_starttls')
[ "$n" = 0 ] && pass no-second-starttls-server-evidence || fail no-second-starttls-server-evidence "$n sessions with a second STARTTLS"
check relay-port-tlsa delivered/dane --rcpt u@port.test --relay mx.port.test:2525
check insecure-host-no-tlsa-query delivered/encrypted --rcpt u@secmx.test
check nxdomain-bounced bounced --rcpt u@nonexistent.test
check unusable-only-requires-tls deferred --rcpt u@unus.test
check dane-only-no-tlsa deferred --rcpt u@notls.test --policy dane-only
check policy-may-ignores-tlsa delivered/encrypted --rcpt u@mismatch.test --policy may
check dane-ee-ignores-dates delivered/dane --rcpt u@ok.test --now $(( $(date +%s) + 40 * 365 * 86400 ))
check ipv6-first delivered/dane --rcpt u@v6.test
[ "$(jq -r .address "$W/ipv6-first.json")" = fdda:9e1a:b000:1::1a ] && pass ipv6-first-address ||
    fail ipv6-first-address "got $(jq -r .address "$W/ipv6-first.json"), want fdda:9e1a:b000:1::1a"
check ipv4-first-falls-back delivered/dane --rcpt u@v6.test --family 4,6
n=$(jq '.attempts[0].connections | length' "$W/ipv4-first-falls-back.json")
[ "$n" = 2 ] && pass ipv4-first-tries-both || fail ipv4-first-tries-both "got $n connections, want 2"
check literal-no-dane delivered/encrypted --rcpt "u@[$(A 2)]"
check agility-per-usage delivered/dane --rcpt u@xagil.test
check dane-ta-leaf-not-under-ta deferred --rcpt u@tarogue.test
check sni-on-failover delivered/dane@mx.sni.test --rcpt u@xsni.test
# One message, two domains: each its own delivery and DANE decision.
check two-domains-own-decisions deferred --rcpt u@ok.test --rcpt u@mismatch.test
got=$(jq -r '[.recipients[] | .rcpt + "=" + .disposition + "/" + (.security // "-")] | join(" ")' \
    "$W/two-domains-own-decisions.json")
[ "$got" = "u@ok.test=delivered/dane u@mismatch.test=deferred/-" ] &&
    pass two-domains-per-recipient || fail two-domains-per-recipient "got $got"

# Bad input: clear error and the right exit status.
client --rcpt u@ok.test --trust-anchor "$W/nonexistent" >/dev/null 2>&1
[ $? -eq 78 ] && pass missing-trust-anchor || fail missing-trust-anchor "exit $?, want 78"
client --rcpt 'u@@ok.test' >/dev/null 2>&1
[ $? -eq 64 ] && pass malformed-rcpt || fail malformed-rcpt "want exit 64"
"$BIN/dl-client" --resolver 127.0.0.9 --trust-anchor "$W/root.ds" --from s@lab.test \
    --message msg --timeout 1 --rcpt u@ok.test >unreach.json 2>/dev/null
rc=$?
[ $rc -eq 75 ] && [ "$(jq -r .mx.status unreach.json)" = timeout ] && pass unreachable-resolver ||
    fail unreachable-resolver "exit $rc, mx status $(jq -r .mx.status unreach.json 2>/dev/null), want 75/timeout"

# ---- each violation changes an outcome ----
NOW_LATE=$(( $(date +%s) + 40 * 365 * 86400 ))
violations="
cleartext-fallback|delivered/cleartext|--rcpt u@strip.test
ignore-tlsa|delivered/encrypted|--rcpt u@mismatch.test
tlsa-failure-as-none|delivered/encrypted|--rcpt u@tbog.test
bogus-as-insecure|delivered/encrypted|--rcpt u@tbog.test
accept-pkix-usages|deferred|--rcpt u@pkix.test
no-digest-agility|delivered/dane|--rcpt u@agil.test
check-names-dane-ee|deferred|--rcpt u@ok.test
check-dates-dane-ee|deferred|--rcpt u@ok.test --now $NOW_LATE
no-dane-ta-name-check|delivered/dane|--rcpt u@taname.test
no-sni|deferred|--rcpt u@sni.test
keep-pre-tls-buffer|deferred|--rcpt u@inj.test
dane-for-insecure-mx|delivered/dane|--rcpt u@insmx.test --policy dane-only
tlsa-preempts-preference|delivered/dane@mx2.pref.test|--rcpt u@pref.test
mx-failure-implicit-mx|delivered/encrypted|--rcpt u@mxbog.test
deliver-after-auth-failure|delivered/encrypted|--rcpt u@mismatch.test
insecure-tlsa-enforced|deferred|--rcpt u@tins.test
no-tlsa-original-name|delivered/cleartext|--rcpt u@alias.cn.test
partial-wildcards|delivered/dane|--rcpt u@wild.test
null-mx-ignored|delivered/encrypted|--rcpt u@nullmx.test
second-starttls|evidence 22 .starttls.second_starttls|--rcpt u@twice.test
tlsa-port-25|deferred|--rcpt u@port.test --relay mx.port.test:2525
tlsa-for-insecure-host|deferred|--rcpt u@secmx.test
no-ehlo-after-tls|bounced|--rcpt u@ok.test
nxdomain-defer|deferred|--rcpt u@nonexistent.test
mandatory-as-opportunistic|delivered/cleartext|--rcpt u@notls.test --policy dane-only
unusable-as-none|delivered/cleartext|--rcpt u@unus.test
ta-anywhere-in-chain|delivered/dane|--rcpt u@tarogue.test
agility-across-usages|deferred|--rcpt u@xagil.test
stale-sni|deferred|--rcpt u@xsni.test
share-connection|delivered|--rcpt u@ok.test --rcpt u@mismatch.test
"
printf '%s\n' "$violations" | while IFS='|' read -r v want args; do
	[ -n "$v" ] || continue
	case $want in
	evidence*)
		# The outcome the server sees: its evidence must show the fault.
		set -- $want
		# shellcheck disable=SC2086
		client --violate "$v" $args >/dev/null 2>&1
		n=$(ev_count "$2" "$3")
		[ "$n" -gt 0 ] && pass "violate-$v" || fail "violate-$v" "no session of 127.16.0.$2 with $3"
		continue ;;
	esac
	# shellcheck disable=SC2086
	check "violate-$v" "$want" --violate "$v" $args
done
# Every violation the client knows has a check above.
"$BIN/dl-client" --list-violations | while read -r v _; do
	printf '%s\n' "$violations" | grep -q "^$v|" || fail "violation-covered-$v" "no e2e check"
done
exit 0
