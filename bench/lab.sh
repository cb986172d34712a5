#!/bin/sh
# bench/lab.sh -- the lab on its own, RUNS times (default 5): daemons'
# bring-up to the first secure answer, teardown, and the daemons' peak RSS
# (VmHWM, shared pages counted in each), from the lab's own debug timings
# while `danelab lab check` runs its fixture world (inside its namespace).
set -u
cd "$(dirname "$0")/.." || exit 2
BIN=${DANELAB_BIN:-bin}
RUNS=${RUNS:-5}
out=$(mktemp /tmp/danelab-bench-lab.XXXXXX)
trap 'rm -f "$out"' EXIT

for i in $(seq "$RUNS"); do
	DANELAB_DEBUG=1 "$BIN/danelab" lab check >>"$out" 2>&1
done
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
up=$(sed -n 's/.*daemons up to the first secure answer in \([0-9]*\) ms.*/\1/p' "$out" | median)
down=$(sed -n 's/.*teardown of the daemons took \([0-9]*\) ms.*/\1/p' "$out" | median)
rss=$(sed -n "s/.*daemons' peak RSS together: \([0-9]*\) kB.*/\1/p" "$out" | median)
echo "  bring-up (NSD, NSD #2, fault proxy, Unbound) to the first secure answer: median ${up} ms"
echo "  teardown of the daemons: median ${down} ms"
echo "  daemons' peak RSS together (VmHWM summed): median ${rss} kB"
grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | sort | uniq -c | sed 's/^/  lab check: /'
