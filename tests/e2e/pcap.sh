#!/bin/sh
# End-to-end test of the evidence a researcher opens: under --keep each case
# has capture.pcap (its DNS and SMTP only) and tls-keys.log (its TLS
# sessions only), tshark reads the capture and, with the key log, shows the
# SMTP commands sent inside TLS; the STARTTLS-stripping attack is visible in
# the clear.  Also: the JSON `evidence` field names the kept directory,
# `explain` prints paths that exist after the run, and durations say
# whether they are a case's own or a batch average.
set -u
cd "$(dirname "$0")/../.." || exit 2
BIN=${DANELAB_BIN:-bin}
T=$(mktemp -d /tmp/danelab-e2e-pcap.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
fails=0

ok()   { echo "PASS e2e/pcap/$1"; }
bad()  { echo "FAIL e2e/pcap/$1: $2"; fails=$((fails + 1)); }
check() { name=$1; shift; if "$@"; then ok "$name"; else bad "$name" "${WHY:-assertion failed}"; fi; }

M=tlsa-usable-match A=dnssec-secure-tlsa-enforced
"$BIN/danelab" run --keep "$T/ev" --json "$T/r.json" $M $A >"$T/run.out" 2>&1; rc=$?
WHY="exit $rc: $(tail -3 "$T/run.out")"; check run-exit [ $rc -eq 0 ]
"$BIN/danelab" run --violate cleartext-fallback --keep "$T/bad" $A >"$T/bad.out" 2>&1; rc=$?
WHY="exit $rc, want 1: $(grep -A3 "^[A-Z]" "$T/bad.out" | head -6)"; check run-violated-exit [ $rc -eq 1 ]

# The JSON evidence field: the kept directory, absolute, existing.
WHY="evidence field wrong"
check json-evidence python3 -c '
import json, os, sys
r = json.load(open(sys.argv[1]))
for c in r["cases"]:
    want = os.path.realpath(os.path.join(sys.argv[2], c["id"]))
    assert c["evidence"] == want, (c["evidence"], want)
    assert os.path.isfile(os.path.join(c["evidence"], "verdict.txt"))
    assert c["duration_kind"] == "batch-average", c
' "$T/r.json" "$T/ev"
WHY="$(grep -m1 "$M" "$T/run.out")"
check console-batch-average grep -q "^PASS  *$M  (~[0-9]* ms, batch average)" "$T/run.out"

E=$T/ev/$M
for f in capture.pcap tls-keys.log; do
	WHY="$E/$f missing or empty"; check "kept-$f" test -s "$E/$f"
done
if command -v tcpdump >/dev/null 2>&1; then
	n=$(tcpdump -nr "$E/capture.pcap" 2>/dev/null | wc -l)
	WHY="tcpdump read $n packets"; check tcpdump-reads [ "$n" -gt 10 ]
fi
if ! command -v tshark >/dev/null 2>&1; then
	echo "SKIP e2e/pcap/tshark: tshark is not installed (scripts/deps.sh test)"
	exit $((fails > 0))
fi
ts() { f=$1; shift; tshark -r "$f" "$@" 2>/dev/null; }
tsk() { f=$1; shift; tshark -r "$f/capture.pcap" -o "tls.keylog_file:$f/tls-keys.log" "$@" 2>/dev/null; }

# Decrypted: MAIL FROM and the message inside the TLS session; without the
# key log the same capture shows no MAIL at all (it was encrypted).
n=$(tsk "$E" -Y 'tls && smtp.req.command == "MAIL"' | wc -l)
WHY="$n decrypted MAIL commands"; check tshark-decrypts-mail [ "$n" -ge 1 ]
n=$(tshark -r "$E/capture.pcap" -Y 'smtp.req.command == "MAIL"' 2>/dev/null | wc -l)
WHY="$n MAIL commands readable without the keys"; check encrypted-without-keys [ "$n" -eq 0 ]
n=$(tsk "$E" -Y 'smtp.req && frame contains "STARTTLS"' | wc -l)
WHY="$n STARTTLS"; check starttls-seen [ "$n" -ge 1 ]
# Its own DNS (client to resolver, resolver to authorities), nobody else's.
n=$(ts "$E/capture.pcap" -Y "dns.qry.name contains \"$M.test\" && udp.dstport == 53" | wc -l)
WHY="$n DNS queries of the case"; check dns-own [ "$n" -ge 4 ]
n=$(ts "$E/capture.pcap" -Y "dns.qry.name contains \"$A\" || smtp.rsp.parameter contains \"$A\"" | wc -l)
WHY="$n packets of $A in $M's capture"; check slice-only-own [ "$n" -eq 0 ]
# The key log holds this case's sessions only.
n=$(wc -l <"$E/tls-keys.log")
WHY="$n key log lines"; check keylog-own [ "$n" -ge 5 ] && [ "$n" -le 10 ]

# The stripping attack, in the clear: the genuine server offers STARTTLS,
# the attacker's EHLO reply (the one the client got) does not, and the
# broken client sends MAIL without TLS.
B=$T/bad/$A
n=$(ts "$B/capture.pcap" -Y 'smtp.rsp.parameter contains "STARTTLS"' | wc -l)
WHY="$n EHLO replies offering STARTTLS (the backend's)"; check stripped-backend-offers [ "$n" -ge 1 ]
n=$(ts "$B/capture.pcap" -Y 'ip.src == 127.16.0.1 && smtp.response.code == 250 && smtp.rsp.parameter contains "STARTTLS"' | wc -l)
WHY="the attacker's reply offers STARTTLS ($n)"; check stripped-attacker-hides [ "$n" -eq 0 ]
n=$(ts "$B/capture.pcap" -Y 'ip.dst == 127.16.0.1 && smtp.req.command == "MAIL"' | wc -l)
WHY="$n cleartext MAIL to the attacker"; check stripped-mail-in-clear [ "$n" -ge 1 ]
# The conformant client: QUIT after the stripped EHLO, no MAIL.
n=$(ts "$T/ev/$A/capture.pcap" -Y 'ip.dst == 127.16.0.1 && smtp.req.command == "QUIT"' | wc -l)
m=$(ts "$T/ev/$A/capture.pcap" -Y 'smtp.req.command == "MAIL"' | wc -l)
WHY="QUIT $n, MAIL $m"; check refusal-visible [ "$n" -ge 1 ] && [ "$m" -eq 0 ]

# Without --keep nothing is captured (an ordinary run pays nothing).
"$BIN/danelab" run --json "$T/plain.json" $M >"$T/plain.out" 2>&1
WHY="evidence not null without --keep"
check no-keep-null python3 -c '
import json, sys
assert all(c["evidence"] is None for c in json.load(open(sys.argv[1]))["cases"])' "$T/plain.json"

# A relative --keep: the adapter, in a directory of its own, still finds the
# message, and the evidence lands where asked.
case $BIN in /*) absbin=$BIN ;; *) absbin=$PWD/$BIN ;; esac
(cd "$T" && "$absbin/danelab" run -q --keep rel $M >"$T/rel.out" 2>&1); rc=$?
WHY="exit $rc: $(tail -2 "$T/rel.out")"
check relative-keep [ $rc -eq 0 ] && [ -s "$T/rel/$M/capture.pcap" ]

# explain: every path it prints exists after the run.
TMPDIR=$T "$BIN/danelab" explain $M >"$T/explain.out" 2>&1; rc=$?
WHY="exit $rc"; check explain-exit [ $rc -eq 0 ]
dir=$(sed -n 's/^evidence kept in //p' "$T/explain.out")
WHY="no kept directory named"; check explain-names-dir [ -n "$dir" ] && [ -d "$dir" ]
missing=$(grep -o "$T/[^ )]*" "$T/explain.out" | sort -u | while read -r p; do
	[ -e "$p" ] || echo "$p"; done)
WHY="printed but missing: $missing"; check explain-paths-exist [ -z "$missing" ]
WHY="explain does not name the pcap"
check explain-pcap grep -q "tshark -r $dir/capture.pcap -o tls.keylog_file:$dir/tls-keys.log" "$T/explain.out"
check explain-pcap-kept test -s "$dir/capture.pcap"

# A client sent one case at a time: each case's own time.
cat >"$T/one-at-a-time" <<EOF
#!/bin/sh
# The reference adapter without its batch mode.
if [ "\$1" = caps ]; then
	"$PWD/runner/adapters/reference" caps | sed 's/"batch":true/"batch":false/'
	exit
fi
exec "$PWD/runner/adapters/reference" "\$@"
EOF
chmod +x "$T/one-at-a-time"
"$BIN/danelab" run --adapter "$T/one-at-a-time" --json "$T/own.json" $M $A >"$T/own.out" 2>&1; rc=$?
WHY="exit $rc: $(tail -3 "$T/own.out")"
check own-duration python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert len(r["cases"]) == 2
for c in r["cases"]:
    assert c["duration_kind"] == "own" and c["duration_ms"] > 0, c' "$T/own.json"
WHY="$(grep -m1 "$M" "$T/own.out")"
check console-own grep -q "^PASS  *$M  ([0-9]* ms)$" "$T/own.out"
exit $((fails > 0))
