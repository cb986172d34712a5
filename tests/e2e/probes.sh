#!/bin/sh
# DANE probes under test (issue 18): posttls-finger (Postfix's), gnutls-cli
# --dane (libgnutls-dane, Exim's) and ldns-dane run the whole catalog as
# probe adapters (runner/ADAPTERS.md, "Probes") and must exit 0 with exactly
# their documented deviations (runner/adapters/NAME.expect).  Plus: their
# DNS stays in the lab (the resolver log sees their lookups, the sandbox's
# resolv.conf names only the lab resolver), and a tool that authenticates
# nothing is caught (negative control).
set -u
cd "$(dirname "$0")/../.." || exit 2
BIN=${DANELAB_BIN:-bin}
T=$(mktemp -d /tmp/danelab-e2e-probes.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
fails=0

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP e2e/probes/provisioned: provisioning unpacks Debian packages (real root)"
	exit 0
fi
for tool in "mta-provision.sh postfix" "impl-provision.sh gnutls"; do
	if scripts/$tool >"$T/prov.out" 2>&1; then
		echo "PASS e2e/probes/provisioned-${tool#* }"
	else
		echo "FAIL e2e/probes/provisioned-${tool#* }: $(tail -n 2 "$T/prov.out" | tr '\n' ' ')"
		exit 1
	fi
done
command -v ldns-dane >/dev/null || { echo "SKIP e2e/probes/ldns-dane: missing tool: ldns-dane (ldnsutils)"; }

for a in posttls-finger gnutls ldns-dane; do
	[ $a = ldns-dane ] && ! command -v ldns-dane >/dev/null && continue
	"$BIN/danelab" run --adapter $a --jobs 2 --keep "$T/keep-$a" --json "$T/$a.json" \
		>"$T/$a.out" 2>&1
	rc=$?
	awk -v m=$a '$1 ~ /^(PASS|XFAIL|INFO|NON-STRICT)$/ && NF >= 2 { print "PASS e2e/probes/" m "/" $2 " (" $1 ")" }
	     $1 ~ /^(FAIL|ERROR|XPASS)$/ && NF >= 2 { print "FAIL e2e/probes/" m "/" $2 ": " $1 }
	     $1 ~ /^UNSUPPORTED$/ && NF >= 2 { print "SKIP e2e/probes/" m "/" $2 ": unsupported" }' "$T/$a.out"
	if [ $rc -eq 0 ]; then echo "PASS e2e/probes/$a-as-documented"; else
		echo "FAIL e2e/probes/$a-as-documented: danelab exited $rc"; fails=$((fails + 1))
		sed 's/^/    /' "$T/$a.out" | grep -v '^    PASS' | head -30
	fi
	# The probe's lookups reached the lab resolver (the judge graded
	# query facts from them) and went nowhere else: every query line of
	# tlsa-usable-match's resolver log comes from loopback.
	log="$T/keep-$a/tlsa-usable-match/resolver.log"
	if grep -q "_25._tcp.mx1.tlsa-usable-match.test. TLSA" "$log" 2>/dev/null &&
	    ! grep ' info: ' "$log" | grep -vqE ' info: (127\.0\.0\.1|::1) '; then
		echo "PASS e2e/probes/$a-dns-through-lab-resolver"
	else
		echo "FAIL e2e/probes/$a-dns-through-lab-resolver: no TLSA query from loopback in $log"
		fails=$((fails + 1))
	fi
done

# Negative control: a probe that reports every TLS session as DANE-verified
# without looking (a broken adapter) is an ERROR or FAIL, never a PASS.
cat > "$T/liar" <<'SH'
#!/bin/sh
case $1 in
caps) echo '{"name":"liar","batch":false,"features":["probe"]}' ;;
send) echo '{"probe":[{"host":"mx1","address":"127.16.0.1","result":"dane"}]}' ;;
esac
SH
chmod +x "$T/liar"
"$BIN/danelab" run --adapter "$T/liar" tlsa-usable-mismatch tlsa-bogus-host-skipped \
	>"$T/liar.out" 2>&1
rc=$?
n=$(grep -cE '^(FAIL|ERROR) ' "$T/liar.out")
if [ $rc -ne 0 ] && [ "$n" -eq 2 ]; then
	echo "PASS e2e/probes/negative-control-liar-caught"
else
	echo "FAIL e2e/probes/negative-control-liar-caught: exit $rc, $n of 2 caught"
	fails=$((fails + 1))
fi
[ $fails -eq 0 ]
