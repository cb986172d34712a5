#!/bin/sh
# The expectations files of the shipped MTA (OpenSMTPD too), mx-connect and probe adapters
# are the one list of their deviations: docs/mtas.md states how many each has
# ("Three known deviations"), and every line names an existing case, a
# requirement id of the catalog and the client's own log line (log: "...").
cd "$(dirname "$0")/../.." || exit 2

# "Twenty-four" -> 24 (digits pass through); empty if not a number.
number() {
	printf '%s\n' "$1" | tr 'A-Z' 'a-z' | awk '
	BEGIN {
		split("one two three four five six seven eight nine ten eleven twelve " \
		    "thirteen fourteen fifteen sixteen seventeen eighteen nineteen", u, " ")
		for (i = 1; i <= 19; i++) v[u[i]] = i
		split("twenty thirty forty fifty", t, " ")
		for (i = 1; i <= 4; i++) v[t[i]] = (i + 1) * 10
	}
	/^[0-9]+$/ { print; exit }
	{
		n = split($0, p, "-"); s = 0
		for (i = 1; i <= n; i++) { if (!(p[i] in v)) exit; s += v[p[i]] }
		print s
	}'
}

for a in postfix exim mx-connect posttls-finger gnutls ldns-dane opensmtpd; do
	f=runner/adapters/$a.expect
	case $a in
	postfix) title="## Postfix" ;; exim) title="## Exim" ;;
	mx-connect) title="## mx-connect" ;;
	posttls-finger) title="### posttls-finger" ;; gnutls) title="### gnutls-cli" ;;
	ldns-dane) title="### ldns-dane" ;; opensmtpd) title="## OpenSMTPD" ;;
	esac
	# The section of docs/mtas.md about this client, up to the next heading.
	word=$(awk -v t="$title" 'index($0, t) == 1 { on = 1; next } /^##/ { on = 0 }
	    on' docs/mtas.md | grep -oE '[A-Za-z0-9-]+ known deviations' | head -1 | cut -d' ' -f1)
	stated=$(number "$word")
	lines=$(grep -cvE '^[[:space:]]*(#|$)' "$f")
	if [ -z "$stated" ]; then
		echo "FAIL e2e/expect-docs/$a-count: docs/mtas.md states no \"N known deviations\" under \"$title\""
	elif [ "$stated" -ne "$lines" ]; then
		echo "FAIL e2e/expect-docs/$a-count: docs/mtas.md says $word ($stated), $f lists $lines"
	else
		echo "PASS e2e/expect-docs/$a-count"
	fi

	bad=$(grep -vE '^[[:space:]]*(#|$)' "$f" | while read -r id kind reason; do
		why=
		[ "$kind" = xfail ] || why="kind $kind"
		[ -n "$(find cases -name "$id.case" | head -1)" ] || why="${why:+$why, }no case $id"
		req=$(printf '%s\n' "$reason" | grep -oE '[0-9]{4}-[0-9.]+-[a-z0-9]+' | head -1)
		if [ -z "$req" ]; then
			why="${why:+$why, }no requirement id"
		elif ! cut -f1 cases/requirements.tsv | grep -qx "$req"; then
			why="${why:+$why, }unknown requirement $req"
		fi
		printf '%s\n' "$reason" | grep -q 'log: "' || why="${why:+$why, }no log line (log: \"...\")"
		[ -z "$why" ] || echo "$id: $why"
	done)
	if [ -n "$bad" ]; then
		echo "FAIL e2e/expect-docs/$a-lines: $(printf '%s' "$bad" | tr '\n' ';')"
	else
		echo "PASS e2e/expect-docs/$a-lines"
	fi
done
exit 0
