#!/bin/sh
# The folders' include rules (docs/architecture.md, "Which folder may
# include which"): a lower folder never includes a higher one, so the
# layout has no cycle.  One line per folder.
set -u
cd "$(dirname "$0")/../.." || exit 2
fails=0

allowed() {
	case $1 in
	util) echo "" ;;
	zones|servers) echo "util" ;;
	lab) echo "zones util" ;;
	client) echo "lab util" ;;
	runner) echo "lab servers zones util" ;;
	bench) echo "lab servers zones util" ;;
	esac
}

for dir in util zones servers lab client runner bench; do
	bad=""
	for f in "$dir"/*.c "$dir"/*.h; do
		[ -f "$f" ] || continue
		for inc in $(sed -n 's/^#include "\([a-z]*\)\/.*/\1/p' "$f" | sort -u); do
			[ "$inc" = "$dir" ] && continue
			case " $(allowed "$dir") " in
			*" $inc "*) ;;
			*) bad="$bad $f->$inc" ;;
			esac
		done
	done
	if [ -z "$bad" ]; then
		echo "PASS e2e/layout/$dir (includes only: $(allowed "$dir" | sed 's/^$/nothing of ours/'))"
	else
		echo "FAIL e2e/layout/$dir: includes it may not:$bad"
		fails=$((fails + 1))
	fi
done
# client/ may use lab/ for the PKI's TLSA digests, nothing else of it.
other=$(grep -l '#include "lab/' client/*.c client/*.h 2>/dev/null | xargs -r grep -h '#include "lab/' | grep -v 'lab/pki.h' | head -n 1)
if [ -z "$other" ]; then
	echo "PASS e2e/layout/client-uses-only-lab-pki"
else
	echo "FAIL e2e/layout/client-uses-only-lab-pki: $other"
	fails=$((fails + 1))
fi
[ $fails -eq 0 ]
