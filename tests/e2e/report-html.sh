#!/bin/sh
# End-to-end test of the HTML reports in a real browser: `danelab run --html`
# and `danelab report --html/--markdown` on a real run with a known FAIL (the
# reference client told to fall back to cleartext under a STARTTLS-stripping
# attacker), a case whose title is hostile markup, and headless Chromium
# rendering both pages.  Chromium runs in a network namespace of its own
# (unshare -rn): it has no network at all, so a page that needed one would
# show it.  The pages, the DOM dumps and PNG screenshots stay in
# build/test-output/report-html/ to look at.
set -u
cd "$(dirname "$0")/../.." || exit 2
BIN=${DANELAB_BIN:-bin}
OUT=$PWD/build/test-output/report-html
T=$(mktemp -d /tmp/danelab-e2e-html.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
rm -rf "$OUT" && mkdir -p "$OUT"
fails=0

ok()   { echo "PASS e2e/report-html/$1"; }
bad()  { echo "FAIL e2e/report-html/$1: $2"; fails=$((fails + 1)); }
check() { name=$1; shift; if "$@"; then ok "$name"; else bad "$name" "${WHY:-assertion failed}"; fi; }

# The cases: a stripping attack (FAIL under the violation), a plain DANE
# delivery (PASS), and a copy of it whose title and note are markup.
mkdir -p "$T/cases/x"
cp cases/dnssec/dnssec-secure-tlsa-enforced.case cases/tlsa/tlsa-usable-match.case "$T/cases/x/"
sed -e 's/^id .*/id       hostile-title/' \
    -e 's/^title .*/title    <img src=x onerror=alert(1)><script>document.title="pwned"<\/script> \& "quotes"\nscenario extra/' \
    cases/tlsa/tlsa-usable-match.case >"$T/cases/x/hostile-title.case"

DANELAB_CASES="$T/cases" "$BIN/danelab" run --violate cleartext-fallback --keep "$OUT/ev" \
	--html "$OUT/run.html" --json "$OUT/violated.json" >"$OUT/run-violated.out" 2>&1; rc=$?
WHY="exit $rc, want 1 (one FAIL); $(tail -3 "$OUT/run-violated.out")"
check run-violated-exit [ $rc -eq 1 ]
DANELAB_CASES="$T/cases" "$BIN/danelab" run --json "$OUT/reference.json" \
	>"$OUT/run-reference.out" 2>&1; rc=$?
WHY="exit $rc, want 0"; check run-reference-exit [ $rc -eq 0 ]
"$BIN/danelab" report --html "$OUT/matrix.html" --markdown "$OUT/matrix.md" \
	"reference=$OUT/reference.json" "violated=$OUT/violated.json" >"$OUT/report.out" 2>&1; rc=$?
WHY="exit $rc: $(cat "$OUT/report.out")"; check report-exit [ $rc -eq 0 ]

# Reports are untrusted too: markup in any string, members missing or of
# the wrong type, provenance of any shape; and a file that is no report.
cat >"$OUT/hostile.json" <<'EOF'
{"adapter":"<script>alert(1)</script>","started":7,"provenance":{"mta":"<b>x</b>","n":[1]},
 "cases":[{"id":"<i>odd</i>","verdict":"fail","title":{"x":1},"requirements":[3,"7672-2.2-a"],
 "reasons":["a <b>reason</b>",null]},{"verdict":"pass"},7]}
EOF
"$BIN/danelab" report --html "$OUT/hostile.html" --markdown "$OUT/hostile.md" "$OUT/hostile.json" \
	>"$OUT/hostile.out" 2>&1; rc=$?
WHY="exit $rc: $(cat "$OUT/hostile.out")"; check hostile-report-exit [ $rc -eq 0 ]
WHY="markup from a report reached the page"
check hostile-report-escaped sh -c "! grep -Eq '<script>alert|<b>|<i>odd' '$OUT/hostile.html' && grep -q '&lt;i&gt;odd&lt;/i&gt;' '$OUT/hostile.html'"
echo '{"not":"a report"}' >"$OUT/notreport.json"
"$BIN/danelab" report --markdown - "$OUT/notreport.json" >"$OUT/notreport.out" 2>&1; rc=$?
WHY="exit $rc, want 2"
check not-a-report sh -c "[ $rc -eq 2 ] && grep -q 'not a danelab JSON report' '$OUT/notreport.out'"

# Self-contained: nothing to fetch, a policy that forbids fetching, and the
# hostile title only ever as text.
for page in run matrix; do
	f="$OUT/$page.html"
	WHY="$f references something remote"
	check "$page-no-remote" sh -c "! grep -Eiq '(src|href)=\"?(https?:)?//' '$f'"
	WHY="no Content-Security-Policy in $f"
	check "$page-csp" grep -q "Content-Security-Policy\" content=\"default-src 'none'" "$f"
done
WHY="the hostile title reached the page unescaped"
check run-escaped sh -c "! grep -q '<img src=x' '$OUT/run.html' && grep -q '&lt;img src=x onerror=alert(1)&gt;' '$OUT/run.html'"
WHY="$(grep -c 'dnssec-secure-tlsa-enforced' "$OUT/matrix.md") lines"
check markdown-row grep -q '^| dnssec-secure-tlsa-enforced | required | PASS | FAIL |$' "$OUT/matrix.md"
if grep -q '"provenance":{"danelab":' "$OUT/reference.json"; then
	WHY="the report's nested provenance is not in the header"
	check markdown-provenance grep -q '^| danelab.version | [0-9]' "$OUT/matrix.md"
fi
check markdown-why grep -q '^- \*\*violated\*\*, dnssec-secure-tlsa-enforced: FAIL\. .*want deferred' "$OUT/matrix.md"

if ! command -v chromium >/dev/null 2>&1; then
	echo "SKIP e2e/report-html/browser: chromium is not installed (scripts/deps.sh test)"
	exit $((fails > 0))
fi
# No sandbox of Chromium's own: it runs as root in CI, and the namespace
# it runs in has no network to escape to.
browse() {
	unshare -rn chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$T/chromium" --window-size=1280,900 "$@" 2>>"$OUT/chromium.err"
}
for page in run matrix; do
	browse --dump-dom "file://$OUT/$page.html" >"$OUT/$page.dom"
	browse --screenshot="$OUT/$page.png" "file://$OUT/$page.html" >/dev/null
	WHY="no PNG at $OUT/$page.png (see $OUT/chromium.err)"
	check "$page-screenshot" sh -c "head -c 8 '$OUT/$page.png' 2>/dev/null | od -An -c | grep -q 'P   N   G'"
done

D=$OUT/run.dom
WHY="summary counts not in the rendered DOM ($D)"
check dom-count-fail grep -q 'id="count-fail">1<' "$D"
check dom-count-pass grep -q 'id="count-pass">2<' "$D"
check dom-tally grep -q '2 passed, 1 failed' "$D"
WHY="the FAIL row is not in the rendered DOM"
check dom-fail-row grep -q '<tr class="case" id="case-dnssec-secure-tlsa-enforced" data-verdict="fail"' "$D"
check dom-fail-reason grep -q 'want deferred \[required\]' "$D"
WHY="the requirement text is not linked from the row"
check dom-requirement-text grep -q '<dt id="req-7672-2.2.3-b">' "$D"
WHY="no link to the kept pcap"
check dom-evidence-link grep -q 'href="ev/dnssec-secure-tlsa-enforced/capture.pcap"' "$D"
# The script ran: the filters are shown and counted; the hostile script did not.
WHY="the filter script did not run"
check dom-filters-live grep -q '<span id="shown">3 of 3</span>' "$D"
WHY="a script from a case title ran"
check dom-no-injection sh -c "! grep -q '<title>pwned' '$D' && ! grep -q '<img src=\"x\"' '$D'"

M=$OUT/matrix.dom
WHY="matrix DOM ($M) lacks the FAIL cell"
check matrix-fail-cell grep -q '<td class="verdict v-fail"><a href="#why-1-' "$M"
check matrix-counts grep -q 'id="count-1-fail">1<' "$M"
check matrix-provenance grep -q '<th>adapter</th><td class="small">reference</td>' "$M"
exit $((fails > 0))
