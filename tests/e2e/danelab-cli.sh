#!/bin/sh
# End-to-end tests of the danelab command itself, against the real lab and
# the reference client: lint, run with a malformed case among good ones,
# the JSON/JUnit/TAP reports, explain, coverage, and SIGKILL in the middle
# of a run leaving nothing behind.
set -u
cd "$(dirname "$0")/../.." || exit 2
BIN=${DANELAB_BIN:-bin}
T=$(mktemp -d /tmp/danelab-e2e-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
fails=0

ok()   { echo "PASS e2e/danelab-cli/$1"; }
bad()  { echo "FAIL e2e/danelab-cli/$1: $2"; fails=$((fails + 1)); }
check() { name=$1; shift; if "$@"; then ok "$name"; else bad "$name" "${WHY:-assertion failed}"; fi; }

# A private case directory: two good cases and one broken one.
mkdir -p "$T/cases/x"
cp cases/tlsa/tlsa-usable-match.case cases/tlsa/tlsa-usable-mismatch.case "$T/cases/x/"
cat > "$T/cases/x/broken-case.case" <<'CASE'
id       broken-case
title    A case with a typo
require  7672-2.2-b 9999-1-z
level    required
zone @ secure
    mx1 A $ADDR(nohost)
host mx1 smtp chain=ee1
expect delivered mx1 dane
CASE

# lint: file:line messages, exit 1.
"$BIN/danelab" lint "$T/cases" >"$T/lint.out" 2>&1; rc=$?
WHY="exit $rc, want 1"; check lint-exit [ $rc -eq 1 ]
WHY="$(cat "$T/lint.out")"
check lint-unknown-requirement grep -q "broken-case.case: unknown requirement id \"9999-1-z\"" "$T/lint.out"
check lint-file-line grep -q "broken-case.case:6: \$ADDR(nohost): unknown host" "$T/lint.out"
check lint-unknown-cert grep -q "broken-case.case:7: host mx1: unknown certificate \"ee1\"" "$T/lint.out"
check lint-clean-cases-clean [ "$(grep -c 'tlsa-usable-m' "$T/lint.out")" -eq 0 ]

# run: the broken case is an ERROR, the others still run and pass.
DANELAB_CASES="$T/cases" "$BIN/danelab" run --json "$T/r.json" --junit "$T/r.xml" \
	--tap "$T/r.tap" >"$T/run.out" 2>&1; rc=$?
WHY="exit $rc, want 3 (an ERROR and no FAIL)"; check run-exit [ $rc -eq 3 ]
WHY="$(cat "$T/run.out" | head -20)"
check run-error-line grep -q '^ERROR  *broken-case' "$T/run.out"
check run-good-pass grep -q '^PASS  *tlsa-usable-match ' "$T/run.out"
check run-good-pass2 grep -q '^PASS  *tlsa-usable-mismatch ' "$T/run.out"
check run-summary-line grep -qx '2 passed, 1 failed' "$T/run.out"
check json-valid python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["summary"]["passed"] == 2 and r["summary"]["failed"] == 1, r["summary"]
ids = {c["id"]: c for c in r["cases"]}
assert ids["broken-case"]["verdict"] == "error"
assert ids["tlsa-usable-match"]["verdict"] == "pass"
for c in r["cases"]:
    for k in ("id", "verdict", "level", "requirements", "expected", "observed", "duration_ms", "adapter"):
        assert k in c, k
' "$T/r.json"
check junit-well-formed python3 -c '
import sys, xml.dom.minidom as m
d = m.parse(sys.argv[1])
names = [t.getAttribute("name") for t in d.getElementsByTagName("testcase")]
assert len(names) == 3 and len(set(names)) == 3, names
assert len(d.getElementsByTagName("error")) == 1
' "$T/r.xml"
check tap-plan grep -q '^1\.\.3$' "$T/r.tap"

# explain: the world, the evidence and the verdict of one case.
TMPDIR="$T" "$BIN/danelab" explain tlsa-usable-mismatch >"$T/explain.out" 2>&1; rc=$?
WHY="exit $rc"; check explain-exit [ $rc -eq 0 ]
check explain-zones grep -q '_25._tcp.mx1.tlsa-usable-mismatch.test.' "$T/explain.out"
check explain-evidence grep -q '"persona":"tlsa-usable-mismatch/mx1"' "$T/explain.out"
check explain-verdict grep -q '^verdict: PASS' "$T/explain.out"

# Batch mode: one send-batch for the whole run, results routed by case.
"$BIN/danelab" run --adapter tests/e2e/adapters/reference-batch tlsa-usable-match \
	tlsa-usable-mismatch dnssec-secure-tlsa-enforced >"$T/batch.out" 2>&1; rc=$?
WHY="exit $rc: $(tail -3 "$T/batch.out")"
check batch-mode-runs [ $rc -eq 0 ]
check batch-mode-three-pass grep -qx '3 passed, 0 failed' "$T/batch.out"

# coverage: every RFC 7672 client MUST is covered by a required case.
"$BIN/danelab" coverage >"$T/cov.out" 2>&1
check coverage-line grep -q 'RFC 7672 client MUST/MUST NOT covered by required cases' "$T/cov.out"

# SIGKILL of the runner in the middle of a run leaves nothing behind: no
# process, not the lab's network namespace, no scratch files.
# Every check below needs the values waited for here: an empty one (pgrep
# missing, the lab never up) fails them instead of passing vacuously.
command -v pgrep >/dev/null 2>&1 ||
	echo "SKIP e2e/danelab-cli/sigkill: missing tool: pgrep (procps; scripts/deps.sh test)"
"$BIN/danelab" run --jobs 1 >/dev/null 2>&1 &
pid=$!
# Wait until the runner is in namespaces of its own and its own Unbound runs
# there (other labs' Unbounds on the same machine do not count).
selfnet=$(readlink /proc/self/ns/net)
selfpid=$(readlink /proc/self/ns/pid)
lab_unbound() {
	for u in $(pgrep -x unbound 2>/dev/null); do
		[ "$(readlink "/proc/$u/ns/pid" 2>/dev/null)" = "$1" ] && return 0
	done
	return 1
}
i=0
while [ $i -lt 1000 ]; do
	labns=$(readlink "/proc/$pid/ns/net" 2>/dev/null)
	labpid=$(readlink "/proc/$pid/ns/pid_for_children" 2>/dev/null)
	[ -n "$labns" ] && [ "$labns" != "$selfnet" ] && [ -n "$labpid" ] &&
		[ "$labpid" != "$selfpid" ] && lab_unbound "$labpid" && break
	sleep 0.02; i=$((i + 1))
done
# Sanity: the lab really is running in a pid namespace of its own before the kill.
WHY="no lab process found in '$labpid' (the runner's pid namespace; ours is $selfpid)"
check sigkill-lab-was-up sh -c "[ -n '$labpid' ] && [ '$labpid' != '$selfpid' ] &&
	ls -l /proc/[0-9]*/ns/pid 2>/dev/null | grep -qF '$labpid'"
scratch=$(ls -d /var/tmp/danelab /tmp/danelab 2>/dev/null | head -1)
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
# The kernel tears the pid namespace down asynchronously: allow a moment.
i=0
while [ $i -lt 100 ] && ls -l /proc/[0-9]*/ns/pid 2>/dev/null | grep -qF "$labpid"; do
	sleep 0.02; i=$((i + 1))
done
WHY="processes left in the lab's pid namespace '$labpid'"
check sigkill-no-process sh -c "[ -n '$labpid' ] && ! ls -l /proc/[0-9]*/ns/pid 2>/dev/null | grep -qF '$labpid'"
WHY="a process still holds the lab's network namespace $labns"
check sigkill-no-namespace sh -c "[ -n '$labns' ] && [ '$labns' != '$selfnet' ] && ! ls -l /proc/[0-9]*/ns/net 2>/dev/null | grep -qF '$labns'"
WHY="the scratch directory $scratch is visible outside the sandbox"
check sigkill-no-files sh -c '! ls -d /tmp/danelab /var/tmp/danelab >/dev/null 2>&1'

[ $fails -eq 0 ]
