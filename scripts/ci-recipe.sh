#!/bin/sh
# ci-recipe.sh -- the CI recipe of docs/ci.md, run locally: test an MTA
# "installed at a prefix" the way an MTA project's CI tests its own build.
#
#   scripts/ci-recipe.sh [--mta postfix|exim] [--prefix DIR] [--expect FILE]
#                        [--previous REPORT.json] [--out DIR] [--shard I/N]
#                        [CASE-SELECTION...]
#
# Steps, each as the CI files under docs/ci/ run them:
#   1. install: the MTA project runs `make install DESTDIR=$PREFIX`; here the
#      provisioned Debian copy (build/mta/MTA/root) is copied to $PREFIX,
#      so the adapter must find everything there and nothing in build/mta;
#   2. build danelab (make);
#   3. run the catalog (or the selection, or one --shard) against the MTA
#      at $PREFIX with the committed baseline of known deviations
#      (--expect; default runner/adapters/MTA.expect): writes
#      $OUT/report.json, $OUT/junit.xml, the evidence of every case that is
#      not PASS under $OUT/evidence, and fails on any new deviation or
#      stale baseline entry (XPASS);
#   4. with --previous (the report of the last good run, e.g. the main
#      branch's artifact): `danelab diff` writes $OUT/diff.md, the pull-
#      request comment, and fails on any regression.
# Prints one "ci-recipe: step ..." line per step and exits with danelab's
# status: 0 all as the baseline says, 1 new deviations or regressions,
# 2 usage, 3 lab or setup error (e.g. the prefix lacks the MTA).
# Needs root (the MTAs' service accounts): scripts/mta-provision.sh MTA.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
mta=postfix prefix= expect= previous= out= shard=
while [ $# -gt 0 ]; do
	case $1 in
	--mta) mta=$2; shift 2 ;;
	--prefix) prefix=$2; shift 2 ;;
	--expect) expect=$2; shift 2 ;;
	--previous) previous=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--shard) shard=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed 's/^# \{0,1\}//; /^set -u/d'; exit 0 ;;
	--) shift; break ;;
	-*) echo "ci-recipe: unknown option $1 (--help)" >&2; exit 2 ;;
	*) break ;;
	esac
done
case $mta in postfix|exim) ;; *) echo "ci-recipe: --mta postfix|exim" >&2; exit 2 ;; esac
out=${out:-$top/build/ci-recipe/$mta}
prefix=${prefix:-$top/build/ci-recipe/$mta-prefix}
expect=${expect:-$top/runner/adapters/$mta.expect}
step() { echo "ci-recipe: step $*"; }

step "1 install $mta into $prefix"
"$top/scripts/mta-provision.sh" "$mta" >/dev/null || exit 3
rm -rf "$prefix" "$out"
mkdir -p "$prefix" "$out" || exit 2
# What `make install DESTDIR=$prefix` leaves: the MTA's own tree, nothing else.
cp -a "$top/build/mta/$mta/root/." "$prefix/" || exit 3

step "2 build danelab"
make -s -C "$top" -j2 >"$out/build.log" 2>&1 || { tail -n 20 "$out/build.log" >&2; exit 3; }

step "3 run against $prefix (baseline ${expect#$top/})"
set -- --adapter "$mta" --adapter-opt "root=$prefix" --expect "$expect" \
	--json "$out/report.json" --junit "$out/junit.xml" --keep "$out/evidence" -q \
	${shard:+--shard "$shard"} "$@"
"$top/bin/danelab" run "$@" >"$out/run.log" 2>&1
rc=$?
tail -n 12 "$out/run.log" | sed 's/^/  | /'
# Keep only what a reviewer needs: the evidence of cases that did not pass.
python3 - "$out/report.json" "$out/evidence" <<'PY' || true
import json, os, shutil, sys
try:
    cases = json.load(open(sys.argv[1]))['cases']
except (OSError, ValueError, KeyError):
    sys.exit(0)
keep = {c['id'] for c in cases if c['verdict'] != 'pass'}
for d in os.listdir(sys.argv[2]) if os.path.isdir(sys.argv[2]) else []:
    if d not in keep:
        shutil.rmtree(os.path.join(sys.argv[2], d), ignore_errors=True)
PY

if [ -n "$previous" ]; then
	step "4 diff against ${previous#$top/}"
	"$top/bin/danelab" diff "$previous" "$out/report.json" >"$out/diff.md"
	drc=$?
	sed -n '1,/^[0-9]* regressions/p' "$out/diff.md" | tail -n 1 | sed 's/^/  | /'
	[ $drc -ne 0 ] && [ $rc -eq 0 ] && rc=$drc
fi
echo "ci-recipe: $mta at $prefix: exit $rc (report $out/report.json)"
exit $rc
