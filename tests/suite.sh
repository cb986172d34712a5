#!/bin/sh
# tests/suite.sh -- the whole case suite against the reference client, as
# part of danelab's own tests: one PASS/FAIL/SKIP line per case for
# tests/run, with the case's verdict; the full danelab output (reasons,
# summary) is kept in the log and shown for any failure.
set -u
cd "$(dirname "$0")/.." || exit 2
BIN=${DANELAB_BIN:-bin}
out=$(mktemp /tmp/danelab-suite.XXXXXX)
trap 'rm -f "$out"' EXIT INT TERM

"$BIN/danelab" run --jobs "${DANELAB_JOBS:-2}" >"$out" 2>&1
rc=$?
awk '
$1 ~ /^(PASS|INFO|NON-STRICT|XFAIL)$/ && NF >= 2 { print "PASS suite/" $2 " (" $1 ")"; next }
$1 ~ /^(FAIL|ERROR|XPASS)$/ && NF >= 2        { print "FAIL suite/" $2 ": " $1; next }
$1 ~ /^(SKIP|UNSUPPORTED)$/ && NF >= 2        { print "SKIP suite/" $2 ": " $1; next }
' "$out"
if [ $rc -ne 0 ]; then
	echo "danelab run exited $rc; its output:"
	sed 's/^/    /' "$out"
fi
exit $rc
