#!/bin/sh
# The CI recipe of docs/ci.md must not rot: scripts/ci-recipe.sh runs its
# steps against the provisioned Postfix copied to another prefix (one
# shard of the catalog, with the committed baseline of known deviations),
# then a diff against that run's own report.  Exim is run from a copy at
# another prefix too, with the same verdicts as the provisioned one, and an
# adapter pointed at a prefix without an MTA says what is missing.
set -u
cd "$(dirname "$0")/../.." || exit 2
BIN=${DANELAB_BIN:-bin}
T=$(mktemp -d /tmp/danelab-e2e-recipe.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
fails=0

ok()   { echo "PASS e2e/ci-recipe/$1"; }
bad()  { echo "FAIL e2e/ci-recipe/$1: $2"; fails=$((fails + 1)); }
check() { name=$1; shift; if "$@"; then ok "$name"; else bad "$name" "${WHY:-assertion failed}"; fi; }
both() { eval "$1" && eval "$2"; }
jq_py() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP e2e/ci-recipe: the MTAs need real root (their own service accounts)"
	exit 0
fi

# 1. The recipe, Postfix at $T/prefix, shard 1 of 6 of the catalog, with a
# previous report to diff against (a recorded one: its cases are other
# cases, so nothing can regress and the diff step must pass).
scripts/ci-recipe.sh --mta postfix --prefix "$T/prefix" --out "$T/out" --shard 1/6 \
	--previous tests/data/reports/postfix-3.7.json >"$T/recipe.out" 2>&1; rc=$?
WHY="exit $rc: $(tail -n 15 "$T/recipe.out")"
check postfix-recipe [ $rc -eq 0 ]
check recipe-steps [ "$(grep -c '^ci-recipe: step ' "$T/recipe.out")" -eq 4 ]
for f in report.json junit.xml; do
	WHY="no $f"; check "recipe-$f" [ -s "$T/out/$f" ]
done
want=$("$T/prefix/usr/sbin/postconf" -d mail_version 2>/dev/null | sed 's/.* = //')
got=$(jq_py "$T/out/report.json" "d['provenance']['client']['version']" 2>&1)
WHY="report says $got, postconf $want"
check report-names-postfix-version both '[ -n "$want" ]' '[ "$got" = "$want" ]'
got=$(jq_py "$T/out/report.json" "d['provenance']['adapter']['options']" 2>&1)
WHY="$got"; check report-names-prefix [ "$got" = "root=$T/prefix" ]
# The MTA that ran is the one at the prefix: its main.cf names the prefix.
"$BIN/danelab" run -q --adapter postfix --adapter-opt root="$T/prefix" --keep "$T/keep" \
	tlsa-usable-match >"$T/one.out" 2>&1; rc=$?
WHY="exit $rc: $(grep daemon_directory "$T/keep/tlsa-usable-match/postfix.main.cf" 2>&1)"
check postfix-runs-from-prefix both '[ $rc -eq 0 ]' \
	'grep -qx "daemon_directory = $T/prefix/usr/lib/postfix/sbin" "$T/keep/tlsa-usable-match/postfix.main.cf"'

# 2. The diff step wrote the pull-request comment; a case of this report
# that passed before and fails now makes diff exit 1.
WHY="$(cat "$T/out/diff.md" 2>&1 | head -5)"
check recipe-diff-step both '[ -s "$T/out/diff.md" ]' \
	'grep -q "^### danelab: no regression" "$T/out/diff.md"'
python3 - "$T/out/report.json" "$T/doctored-old.json" "$T/doctored-new.json" <<'PY'
import copy, json, sys
d = json.load(open(sys.argv[1]))
# The first case: passing before, failing now (the run's report otherwise).
old, new = copy.deepcopy(d), d
old['cases'][0]['verdict'], old['cases'][0]['reasons'] = 'pass', []
new['cases'][0]['verdict'], new['cases'][0]['reasons'] = 'fail', ['x.case:1: got this, want that']
json.dump(old, open(sys.argv[2], 'w'))
json.dump(new, open(sys.argv[3], 'w'))
PY
"$BIN/danelab" diff "$T/doctored-old.json" "$T/doctored-new.json" >"$T/d.md"; rc=$?
WHY="exit $rc: $(head -12 "$T/d.md")"
check diff-flags-regression both '[ $rc -eq 1 ]' 'grep -q "^#### Regressions (1)" "$T/d.md"'

# 3. Exim from another prefix: the same verdicts as the provisioned copy.
# Exim re-executes itself as its own user: a prefix under a private folder
# is refused at setup, with the folder named.  The provisioned copy is this
# test's own to make: in a fresh clone nothing before it has made it.
scripts/mta-provision.sh exim >"$T/prov-exim.out" 2>&1; rc=$?
WHY="exit $rc: $(tail -n 3 "$T/prov-exim.out")"; check exim-provisioned [ $rc -eq 0 ]
cp -a build/mta/exim/root "$T/exim-prefix"
"$BIN/danelab" run -q --adapter exim -o root="$T/exim-prefix" tlsa-usable-match \
	>"$T/exim-private.out" 2>&1; rc=$?
WHY="exit $rc: $(grep adapter "$T/exim-private.out")"
check exim-private-prefix-named both '[ $rc -eq 3 ]' \
	'grep -q "cannot enter $T (mode 700)" "$T/exim-private.out"'
chmod 755 "$T"
sel="tlsa-usable-match tlsa-usable-mismatch dnssec-secure-tlsa-enforced tlsa-bogus-host-skipped"
"$BIN/danelab" run -q --now 1795000000 --adapter exim --json "$T/exim-a.json" $sel \
	>"$T/exim-a.out" 2>&1
"$BIN/danelab" run -q --now 1795000000 --adapter exim -o root="$T/exim-prefix" \
	--json "$T/exim-b.json" $sel >"$T/exim-b.out" 2>&1; rc=$?
va=$(jq_py "$T/exim-a.json" "[c['verdict'] for c in d['cases']]" 2>&1)
vb=$(jq_py "$T/exim-b.json" "[c['verdict'] for c in d['cases']]" 2>&1)
WHY="exit $rc; provisioned $va, prefix $vb"
check exim-prefix-same-verdicts both '[ $rc -eq 0 ]' '[ "$va" = "$vb" ]'
tls=$(jq_py "$T/exim-b.json" "d['provenance']['client']['tls_library']" 2>&1)
WHY="$tls"; check exim-names-tls-library grep -Eq '^(GnuTLS|OpenSSL) [0-9]' <<EOT
$tls
EOT

# 4. A prefix without the MTA: setup fails, every case is an ERROR (not a
# FAIL of the client), and the message names what is missing.
mkdir -p "$T/empty"
for mta in postfix exim; do
	"$BIN/danelab" run -q --adapter $mta -o root="$T/empty" tlsa-usable-match \
		>"$T/$mta-empty.out" 2>&1; rc=$?
	WHY="exit $rc: $(grep adapter "$T/$mta-empty.out")"
	check "$mta-missing-install-named" both '[ $rc -eq 3 ]' \
		'grep -qi "no $mta at $T/empty" "$T/$mta-empty.out"'
done
[ $fails -eq 0 ]
