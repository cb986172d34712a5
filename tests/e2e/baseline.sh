#!/bin/sh
# The no-DANE baseline (issue 18): OpenSMTPD 6.8, an MTA without DANE, runs
# the whole catalog and must exit 0 with exactly its documented deviations
# (runner/adapters/opensmtpd.expect), each of the kind it claims to be:
#   "needs DANE": the case's world has TLSA records, or the case expects a
#                 TLSA query;
#   "not DANE":   the reference client, with TLSA lookups switched off
#                 (--violate ignore-tlsa), passes the case.
# And the catalog itself: every case the reference client fails without TLSA
# lookups is a DANE case, so no case demands DANE where its world has none.
set -u
cd "$(dirname "$0")/../.." || exit 2
BIN=${DANELAB_BIN:-bin}
T=$(mktemp -d /tmp/danelab-e2e-baseline.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
fails=0

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP e2e/baseline/opensmtpd: OpenSMTPD needs real root (its own service accounts)"
	exit 0
fi
if scripts/mta-provision.sh opensmtpd >"$T/prov.out" 2>&1; then
	echo "PASS e2e/baseline/opensmtpd-provisioned"
else
	echo "FAIL e2e/baseline/opensmtpd-provisioned: $(tail -n 2 "$T/prov.out" | tr '\n' ' ')"
	exit 1
fi
"$BIN/danelab" run --adapter opensmtpd --json "$T/opensmtpd.json" >"$T/opensmtpd.out" 2>&1
rc=$?
awk '$1 ~ /^(PASS|XFAIL|INFO|NON-STRICT)$/ && NF >= 2 { print "PASS e2e/baseline/opensmtpd/" $2 " (" $1 ")" }
     $1 ~ /^(FAIL|ERROR|XPASS)$/ && NF >= 2 { print "FAIL e2e/baseline/opensmtpd/" $2 ": " $1 }
     $1 ~ /^UNSUPPORTED$/ && NF >= 2 { print "SKIP e2e/baseline/opensmtpd/" $2 ": unsupported" }' "$T/opensmtpd.out"
if [ $rc -eq 0 ]; then echo "PASS e2e/baseline/opensmtpd-as-documented"; else
	echo "FAIL e2e/baseline/opensmtpd-as-documented: danelab exited $rc"; fails=$((fails + 1))
	sed 's/^/    /' "$T/opensmtpd.out" | grep -v '^    PASS' | head -30
fi

"$BIN/danelab" run --violate ignore-tlsa --expect /dev/null --json "$T/no-tlsa.json" \
	>"$T/no-tlsa.out" 2>&1
python3 - "$T/opensmtpd.json" "$T/no-tlsa.json" runner/adapters/opensmtpd.expect <<'EOF' || fails=$((fails + 1))
import json, re, sys

osmtpd, notlsa, expect = sys.argv[1:4]
cases = {c['id']: c for c in json.load(open(osmtpd))['cases']}
reference = {c['id']: c['verdict'] for c in json.load(open(notlsa))['cases']}
TLSA_RR = re.compile(r'^\s+\S+\s+(?:\d+\s+)?(?:IN\s+)?TLSA\s', re.M)
TLSA_QUERY = re.compile(r'^expect\b.*\bTLSA\b', re.M)


def dane_case(cid):
    """Does the case's world hold TLSA records, or does it expect a TLSA query?"""
    text = open(cases[cid]['file']).read()
    return bool(TLSA_RR.search(text) or TLSA_QUERY.search(text))


bad = 0
for n, line in enumerate(open(expect), 1):
    if not line.strip() or line.startswith('#'):
        continue
    cid, _, why = line.split(None, 2)
    kind = why.split(':', 1)[0]
    if cid not in cases:
        print(f'FAIL e2e/baseline/expect-{cid}: opensmtpd.expect:{n} names no case of the catalog')
    elif kind == 'needs DANE' and not dane_case(cid):
        print(f'FAIL e2e/baseline/expect-{cid}: "needs DANE", but the case has no TLSA record '
              'and expects no TLSA query')
    elif kind == 'not DANE' and reference.get(cid) != 'pass':
        print(f'FAIL e2e/baseline/expect-{cid}: "not DANE", but the reference client without '
              f'TLSA lookups does not pass it ({reference.get(cid)})')
    elif kind not in ('needs DANE', 'not DANE'):
        print(f'FAIL e2e/baseline/expect-{cid}: opensmtpd.expect:{n}: the reason must start '
              'with "needs DANE:" or "not DANE:"')
    else:
        print(f'PASS e2e/baseline/expect-{cid} ({kind})')
        continue
    bad += 1
# The reference without TLSA lookups must pass every case that is not about
# DANE: a failure elsewhere means a case demands DANE where its world has none.
demanding = [cid for cid, v in sorted(reference.items())
             if v in ('fail', 'error') and cid in cases and not dane_case(cid)]
if demanding:
    print('FAIL e2e/baseline/no-case-demands-dane-without-tlsa: the reference client without '
          'TLSA lookups fails ' + ', '.join(demanding) + ', which have no TLSA record and '
          'expect no TLSA query')
    bad += 1
elif not reference:
    print('FAIL e2e/baseline/no-case-demands-dane-without-tlsa: no report of the reference run')
    bad += 1
else:
    print('PASS e2e/baseline/no-case-demands-dane-without-tlsa')
sys.exit(1 if bad else 0)
EOF
[ $fails -eq 0 ]
