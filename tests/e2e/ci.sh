#!/bin/sh
# End-to-end tests of what an MTA project's CI uses, with the reference
# client (cheap, any user): cases from anywhere (files and folders for run,
# explain, coverage; list --json; lint --help), --expect with XFAIL and
# XPASS, --adapter-opt checking, provenance in every report format, and
# `danelab diff` on two real runs.
set -u
cd "$(dirname "$0")/../.." || exit 2
BIN=${DANELAB_BIN:-bin}
T=$(mktemp -d /tmp/danelab-e2e-ci.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
fails=0

ok()   { echo "PASS e2e/ci/$1"; }
bad()  { echo "FAIL e2e/ci/$1: $2"; fails=$((fails + 1)); }
check() { name=$1; shift; if "$@"; then ok "$name"; else bad "$name" "${WHY:-assertion failed}"; fi; }
# Two conditions, both must hold.
both() { eval "$1" && eval "$2"; }
jq_py() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# A case folder of one's own, outside cases/.
mkdir -p "$T/mine"
cp cases/tlsa/tlsa-usable-match.case cases/tlsa/tlsa-usable-mismatch.case "$T/mine/"

"$BIN/danelab" list --json >"$T/list.json"; rc=$?
n=$(jq_py "$T/list.json" "len(d['cases'])" 2>/dev/null)
WHY="exit $rc, $n cases"; check list-json both '[ $rc -eq 0 ]' '[ "${n:-0}" -gt 100 ]'
WHY="$(head -c 300 "$T/list.json")"
check list-json-fields [ "$(jq_py "$T/list.json" "sorted(d['cases'][0].keys())" 2>&1)" = \
	"['file', 'id', 'level', 'lint_clean', 'requirements', 'scenario', 'tags', 'title']" ]
"$BIN/danelab" list --json "$T/mine" >"$T/list2.json"
WHY="$(cat "$T/list2.json")"
check list-json-folder [ "$(jq_py "$T/list2.json" "[c['id'] for c in d['cases']]")" = \
	"['tlsa-usable-match', 'tlsa-usable-mismatch']" ]
"$BIN/danelab" lint --help >"$T/lint-help" 2>&1; rc=$?
WHY="exit $rc: $(head -2 "$T/lint-help")"
check lint-help both '[ $rc -eq 0 ]' \
	'grep -q '\''^usage: danelab lint'\'' "$T/lint-help"'

# run / coverage / explain with a folder and a file instead of cases/.
"$BIN/danelab" run -q --json "$T/mine.json" "$T/mine" >"$T/run.out" 2>&1; rc=$?
WHY="exit $rc: $(tail -3 "$T/run.out")"
check run-folder both '[ $rc -eq 0 ]' \
	'[ "$(jq_py "$T/mine.json" "d['\''summary'\'']['\''total'\'']")" = 2 ]'
"$BIN/danelab" run -q --cases "$T/mine" 'tlsa-usable-mis*' >"$T/run2.out" 2>&1; rc=$?
WHY="exit $rc: $(tail -1 "$T/run2.out")"
check run-cases-dir-glob both '[ $rc -eq 0 ]' \
	'tail -1 "$T/run2.out" | grep -qx '\''1 passed, 0 failed'\'''
# explain keeps its evidence under $TMPDIR: this test's own scratch, not /tmp.
TMPDIR=$T "$BIN/danelab" explain "$T/mine/tlsa-usable-match.case" >"$T/explain.out" 2>&1; rc=$?
WHY="exit $rc"; check explain-file both '[ $rc -eq 0 ]' 'grep -q tlsa-usable-match "$T/explain.out"'
"$BIN/danelab" coverage "$T/mine" >"$T/cov.out" 2>&1; rc=$?
WHY="exit $rc: $(grep 'requirements covered' "$T/cov.out")"
check coverage-folder both '[ $rc -eq 0 ]' \
	'grep -q '\''^requirements covered: [1-9][0-9]\{0,1\}/'\'' "$T/cov.out"'

# Provenance: console, JSON, JUnit, TAP.
"$BIN/danelab" run --now 1795000000 --json "$T/p.json" --junit "$T/p.xml" --tap "$T/p.tap" \
	tlsa-usable-match >"$T/p.out" 2>&1
WHY="$(cat "$T/p.out")"
check console-provenance grep -q '^  lab clock  2026-11-18T11:06:40Z (--now 1795000000)$' "$T/p.out"
check json-provenance [ "$(jq_py "$T/p.json" "d['provenance']['lab']['unbound'].split()[0]")" = Unbound ]
check junit-provenance grep -q '<property name="lab" value="OpenSSL' "$T/p.xml"
check tap-provenance grep -q '^# command: .*danelab run --now 1795000000 ' "$T/p.tap"

# --adapter-opt: only what the adapter's caps declares.
"$BIN/danelab" run -q -o nosuch=1 tlsa-usable-match >"$T/o.out" 2>&1; rc=$?
WHY="exit $rc: $(cat "$T/o.out")"
check adapter-opt-unknown both '[ $rc -eq 2 ]' \
	'grep -q '\''accepts only: root'\'' "$T/o.out"'

# --expect: a project's own baseline.  A listed case that fails is XFAIL
# (exit 0); a listed case that passes is XPASS (exit 1: the list is stale).
printf '%s\n' '# our known deviations' \
	'tlsa-usable-mismatch  xfail  we ignore TLSA on purpose (test)' >"$T/mine.expect"
"$BIN/danelab" run -q --expect "$T/mine.expect" --violate ignore-tlsa --json "$T/xf.json" \
	tlsa-usable-mismatch >"$T/xf.out" 2>&1; rc=$?
WHY="exit $rc: $(tail -3 "$T/xf.out")"
check expect-xfail both '[ $rc -eq 0 ]' \
	'[ "$(jq_py "$T/xf.json" "d['\''cases'\''][0]['\''verdict'\'']")" = xfail ]'
"$BIN/danelab" run -q --expect "$T/mine.expect" --json "$T/xp.json" tlsa-usable-mismatch \
	>"$T/xp.out" 2>&1; rc=$?
WHY="exit $rc"
check expect-xpass both '[ $rc -eq 1 ]' \
	'[ "$(jq_py "$T/xp.json" "d['\''cases'\''][0]['\''verdict'\'']")" = xpass ]'
"$BIN/danelab" run -q --expect "$T/none.expect" tlsa-usable-match >"$T/ne.out" 2>&1; rc=$?
WHY="exit $rc: $(cat "$T/ne.out")"
check expect-missing both '[ $rc -eq 2 ]' \
	'grep -q -- '\''--expect .*none.expect'\'' "$T/ne.out"'

# diff of two real runs: a good client, then one that ignores TLSA.
"$BIN/danelab" run -q --json "$T/good.json" "$T/mine" >/dev/null 2>&1
"$BIN/danelab" run -q --violate ignore-tlsa --json "$T/broken.json" "$T/mine" >/dev/null 2>&1
"$BIN/danelab" diff "$T/good.json" "$T/broken.json" >"$T/d1.md"; rc=$?
WHY="exit $rc: $(cat "$T/d1.md")"
check diff-regression both '[ $rc -eq 1 ]' \
	'grep -q '\''^| `tlsa-usable-mismatch` | PASS | FAIL |'\'' "$T/d1.md"'
"$BIN/danelab" diff "$T/broken.json" "$T/good.json" >"$T/d2.md"; rc=$?
WHY="exit $rc: $(cat "$T/d2.md")"
check diff-fix both '[ $rc -eq 0 ]' \
	'grep -q '\''^#### Fixes (2)'\'' "$T/d2.md"'
"$BIN/danelab" diff "$T/good.json" "$T/list.json" >"$T/d3.md" 2>&1; rc=$?
WHY="exit $rc: $(cat "$T/d3.md")"
check diff-not-a-report both '[ $rc -eq 2 ]' \
	'grep -q '\''not a danelab JSON report'\'' "$T/d3.md"'
[ $fails -eq 0 ]
