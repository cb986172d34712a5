#!/bin/sh
# A case file is untrusted input (issue 12, cases/FORMAT.md): hostile case
# files among good ones, through the real CLI, lab, reference client and,
# as root once provisioned, the real Exim and Postfix adapters.  Nothing may
# crash the run, take the good cases down, write outside the run's
# directories, reach a shell (repro.sh) or an MTA configuration, or change
# another case's verdict.  Markers are files a successful injection would
# create; each must stay absent.
set -u
cd "$(dirname "$0")/../.." || exit 2
BIN=${DANELAB_BIN:-bin}
T=$(mktemp -d /tmp/danelab-e2e-untrusted.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
fails=0
# Markers go where anyone may write (Exim runs commands as Debian-exim):
# a test whose marker could not be written could not fail.
M="$T/markers"
mkdir -p "$M" && chmod 711 "$T" && chmod 1777 "$M"

ok()   { echo "PASS e2e/untrusted/$1"; }
bad()  { echo "FAIL e2e/untrusted/$1: $2"; fails=$((fails + 1)); }
check() { name=$1; shift; if "$@"; then ok "$name"; else bad "$name" "${WHY:-assertion failed}"; fi; }
absent() { [ ! -e "$1" ]; }

# A hostile variant of a reference case: id NAME, line matching RE replaced.
variant() { # NAME RE REPLACEMENT
	sed -e "s|^id .*|id       $1\nscenario tlsa-usable-match|" -e "s|$2|$3|" \
	    cases/tlsa/tlsa-usable-match.case > "$T/cases/$1.case"
}

mkdir -p "$T/cases" "$T/keep"
cp cases/tlsa/tlsa-usable-match.case "$T/cases/"
head -c 400 /dev/urandom > "$T/cases/garbage.case"
variant sni-no-cert '^host mx1 smtp chain=ee1' 'host mx1 smtp chain=ee1 sni:mx1'
variant traversal '^host mx1 smtp chain=ee1' "host ../../../../../../../..$T/x smtp chain=ee1"
variant no-chain '^host mx1 smtp chain=ee1' 'host mx1 smtp'
variant shell-rcpt '^expect ' "send rcpt=a'\$(touch\${IFS}$M/m1)'b@@\nexpect "
variant exim-expansion '^expect ' "send policy=dane-only rcpt=user@\${run,preexpand{/bin/touch\${substr{4}{1}{\$tod_full}}$M/m2}}\nexpect "
variant zone-nsd '^zone @ secure' "zone x\"zonefile:\"README.md\"# secure\nzone @ secure"
variant foreign '^expect .*' "send policy=may rcpt=user@tlsa-usable-match.test.\nexpect deferred"
variant bogus-type '^zone @ secure' "zone @ secure server=fault\n    \$DNSFAULT mx1 BOGUSTYPE servfail"
variant escape '^title .*' "title    $(printf '\033')]0;owned$(printf '\007')$(printf '\033')[2J"
variant latin1 '^expect ' "send rcpt=user@b$(printf '\374')cher\nexpect "
printf 'id nul\000\nnote after the NUL\n' > "$T/cases/nul.case"

# lint: every hostile file is a file:line error, the good one is clean.
"$BIN/danelab" lint "$T/cases" >"$T/lint.out" 2>&1; rc=$?
WHY="exit $rc, want 1"; check lint-exit [ $rc -eq 1 ]
WHY=$(head -c 1500 "$T/lint.out")
c="$T/cases"
check lint-sni "grep" -q "^$c/sni-no-cert.case:15: bad \"sni:mx1\", expected sni:NAME=CERT" "$T/lint.out"
check lint-traversal grep -q "^$c/traversal.case:15: bad host label" "$T/lint.out"
check lint-no-chain grep -q "^$c/no-chain.case:15: host mx1: the mock SMTP server refuses it" "$T/lint.out"
check lint-shell grep -q "^$c/shell-rcpt.case:[0-9]*: bad rcpt=" "$T/lint.out"
check lint-exim grep -q "^$c/exim-expansion.case:[0-9]*: bad recipient domain" "$T/lint.out"
check lint-zone-nsd grep -q "^$c/zone-nsd.case:[0-9]*: bad zone name" "$T/lint.out"
check lint-foreign grep -q "^$c/foreign.case:[0-9]*: bad recipient domain.*outside the case apex" "$T/lint.out"
check lint-bogus-type grep -q "^$c/bogus-type.case:[0-9]*: unknown type \"BOGUSTYPE\"" "$T/lint.out"
check lint-escape grep -q "^$c/escape.case:3: control character" "$T/lint.out"
check lint-latin1 grep -q "^$c/latin1.case:[0-9]*: invalid UTF-8" "$T/lint.out"
check lint-nul grep -q "^$c/nul.case:1: NUL byte" "$T/lint.out"
check lint-garbage grep -q "^$c/garbage.case: missing key \"id\"" "$T/lint.out"
WHY="control characters in lint output"
check lint-no-control-chars sh -c "! LC_ALL=C grep -q '[[:cntrl:]]' '$T/lint.out'"
check lint-good-clean sh -c "! grep -q 'tlsa-usable-match.case' '$T/lint.out'"

# run: each hostile case is an ERROR alone, the good case still passes,
# nothing lands outside the run, no marker appears.
DANELAB_CASES="$T/cases" "$BIN/danelab" run --keep "$T/keep" --junit "$T/r.xml" \
	--json "$T/r.json" >"$T/run.out" 2>&1; rc=$?
# Only ERRORs (no client failure): exit 3.
WHY="exit $rc, want 3; $(head -c 600 "$T/run.out")"; check run-exit [ $rc -eq 3 ]
WHY=$(head -c 800 "$T/run.out")
check run-good-pass grep -q '^PASS  *tlsa-usable-match ' "$T/run.out"
for id in sni-no-cert traversal no-chain shell-rcpt exim-expansion zone-nsd foreign bogus-type \
    escape latin1; do
	check "run-error-$id" grep -q "^ERROR  *$id " "$T/run.out"
done
check run-error-no-id grep -q '^ERROR  *(no id) ' "$T/run.out"
WHY="a file outside the run was written"
check run-no-traversal sh -c "! ls '$T'/x* 2>/dev/null | grep -q ."
WHY="an injected command ran"
check run-no-marker sh -c "! ls '$M' | grep -q ."
WHY="control characters reached the terminal"
check run-no-control-chars sh -c "! LC_ALL=C grep -q \"\$(printf '\\033')\" '$T/run.out'"
check junit-well-formed python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$T/r.xml"
WHY="the good case's world was touched (no kept evidence)"
check run-kept-good [ -f "$T/keep/tlsa-usable-match/repro.sh" ]

# repro.sh: a recipient that is valid RFC 5321 but full of shell syntax is
# quoted: the script's exports give it back verbatim and run nothing.
rm -rf "$T/cases2" && mkdir -p "$T/cases2"
lp="a'\`touch\${IFS}markers/m3\`'\$HOME{x}"
sed -e "s|^id .*|id       repro-quoting\nscenario tlsa-usable-match|" \
    -e "s|^expect .*|send rcpt=$lp@@\nexpect delivered mx1 dane \| deferred \| bounced|" \
    cases/tlsa/tlsa-usable-match.case > "$T/cases2/repro-quoting.case"
"$BIN/danelab" lint "$T/cases2" >"$T/lint2.out" 2>&1
WHY=$(cat "$T/lint2.out"); check repro-case-lints grep -q '0 with problems' "$T/lint2.out"
DANELAB_CASES="$T/cases2" "$BIN/danelab" run --keep "$T/keep2" >"$T/run2.out" 2>&1
r="$T/keep2/repro-quoting/repro.sh"
WHY="no $r: $(head -c 400 "$T/run2.out")"; check repro-written [ -f "$r" ]
if [ -f "$r" ]; then
	WHY="sh -n: $(sh -n "$r" 2>&1)"; check repro-syntax sh -n "$r"
	sed -n '/^export /,/DANELAB_MESSAGE/p' "$r" > "$T/exports.sh"
	got=$(cd "$T" && sh -c '. ./exports.sh && printf %s "$DANELAB_RCPT"')
	WHY="DANELAB_RCPT is [$got], want [$lp@repro-quoting.test]"
	check repro-rcpt-verbatim [ "$got" = "$lp@repro-quoting.test" ]
fi
WHY="the recipient's command ran"; check repro-no-marker absent "$M/m3"

# Duplicate ids: both files are lint errors and the run refuses to start.
mkdir -p "$T/dup/a" "$T/dup/b"
cp cases/tlsa/tlsa-usable-match.case "$T/dup/a/"
cp cases/tlsa/tlsa-usable-match.case "$T/dup/b/"
"$BIN/danelab" lint "$T/dup" >"$T/dup.out" 2>&1
WHY=$(cat "$T/dup.out")
check dup-lint-both [ "$(grep -c 'duplicate id "tlsa-usable-match"' "$T/dup.out")" -eq 2 ]
DANELAB_CASES="$T/dup" "$BIN/danelab" run >"$T/dup-run.out" 2>&1; rc=$?
WHY="exit $rc, want 2: $(head -c 300 "$T/dup-run.out")"
check dup-run-refused [ $rc -eq 2 ]
check dup-run-says-why grep -q 'same id "tlsa-usable-match"' "$T/dup-run.out"

# Symbolic-link loops in a case directory: the walk ends.
mkdir -p "$T/loop"
cp cases/tlsa/tlsa-usable-match.case "$T/loop/"
ln -s . "$T/loop/x"
ln -s . "$T/loop/y"
timeout 60 "$BIN/danelab" lint "$T/loop" >"$T/loop.out" 2>&1; rc=$?
WHY="exit $rc (124: hung): $(head -c 300 "$T/loop.out")"
check symlink-loop-ends [ $rc -ne 124 ]
check symlink-loop-said grep -q 'directory loop' "$T/loop.out"

# The real MTAs: the injection cases through the runner are ERRORs, no
# marker appears; the adapters themselves refuse what is not a plain name
# (defence in depth), tried directly in a namespace with no network.
for mta in exim postfix; do
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP e2e/untrusted/$mta: needs root (scripts/mta-provision.sh $mta)"
		continue
	fi
	if ! scripts/mta-provision.sh $mta >"$T/prov.out" 2>&1; then
		bad "$mta-provisioned" "$(tail -n 2 "$T/prov.out" | tr '\n' ' ')"
		continue
	fi
	rm -rf "$T/mcases" && mkdir -p "$T/mcases"
	cp cases/tlsa/tlsa-usable-match.case "$T/mcases/"
	for v in exim-expansion foreign shell-rcpt; do
		sed "s|$M/m[0-9]|$M/$mta-$v|" "$T/cases/$v.case" > "$T/mcases/$v.case"
	done
	DANELAB_CASES="$T/mcases" "$BIN/danelab" run --adapter $mta >"$T/$mta.out" 2>&1
	WHY=$(head -c 600 "$T/$mta.out")
	for v in exim-expansion foreign shell-rcpt; do
		check "$mta-run-error-$v" grep -q "^ERROR  *$v " "$T/$mta.out"
	done
	check "$mta-victim-unchanged" grep -qE '^(PASS|XFAIL)  *tlsa-usable-match ' "$T/$mta.out"
	WHY="a marker appeared: $(ls "$M")"
	check "$mta-run-no-marker" sh -c "! ls '$M' | grep -q '^$mta-'"

	# The adapter on its own, given what the runner would never send, next
	# to a plain line (Exim expands its domain lists while routing that
	# one: without the adapter's check, the first line's command runs).
	printf 'Subject: x\nMessage-ID: <x@danelab.invalid>\n\nx\n' > "$T/msg.eml"
	: > "$T/batch.jsonl"
	line() { # CASE RCPT POLICY RELAY OPTIONS
		python3 -c 'import json, sys
print(json.dumps({"case": sys.argv[1], "rcpt": sys.argv[2], "from": "s@danelab.invalid",
                  "policy": sys.argv[3], "relay": sys.argv[4], "options": sys.argv[5],
                  "message": sys.argv[6], "case_dir": sys.argv[7]}))' "$@" "$T/msg.eml" "$T" \
		    >> "$T/batch.jsonl"
	}
	line evil "user@\${run,preexpand{/bin/touch\${substr{4}{1}{\$tod_full}}$M/$mta-a}}" dane-only "" ""
	line evil "user@x.\${run,preexpand{/bin/touch\${substr{4}{1}{\$tod_full}}$M/$mta-b}}.evil.test" may "" ""
	line evil "user@tlsa-usable-match.test" may "" ""
	line evil "a@b@evil.test" dane "" ""
	line evil "u\$x@evil.test" dane "" ""
	line evil "user@evil.test" dane "r.evil.test:25 : x" ""
	line evil "user@evil.test" dane "" "fallback=\${run{/bin/touch\${substr{4}{1}{\$tod_full}}$M/$mta-c}}:25"
	line good "user@good.test" dane "" ""
	mkdir -p "$T/work-$mta"
	DANELAB_WORKDIR="$T/work-$mta" DANELAB_STEP_TIMEOUT=1 timeout 300 unshare --net \
		runner/adapters/$mta send-batch "$T/batch.jsonl" >"$T/$mta-adapter.out" \
		2>"$T/$mta-adapter.err"
	WHY="$(head -c 400 "$T/$mta-adapter.out")"
	check "$mta-adapter-no-result" sh -c "! grep -q '\"case\": \"evil\"' '$T/$mta-adapter.out'"
	# Exim runs outside the lab (no network: the plain line defers); Postfix
	# does not start outside the lab's sandbox, so only Exim's is checked.
	[ $mta = exim ] && check "$mta-adapter-plain-line-ran" grep -q '"case": "good"' \
		"$T/$mta-adapter.out"
	WHY="$(head -c 600 "$T/$mta-adapter.err")"
	check "$mta-adapter-refused" [ "$(grep -c 'refused by the adapter' "$T/$mta-adapter.err")" -eq 7 ]
	WHY="a marker appeared: $(ls "$M")"
	check "$mta-adapter-no-marker" sh -c "! ls '$M' | grep -q '^$mta-'"
done

[ $fails -eq 0 ]
