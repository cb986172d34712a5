#!/bin/sh
# bench/smtpd.sh -- STARTTLS sessions per second of one bin/dl-smtpd
# process on loopback (bin/dl-smtpload, ECDSA P-256, TLS 1.3), and the
# server's memory with 500 personas configured.  Runs inside a private
# network namespace; bounded to ~15 s.  Prints "bench/smtpd/NAME VALUE UNIT
# (target ...)" lines.  SECONDS_LOAD and CONC tune the load.
set -u
cd "$(dirname "$0")/.." || exit 2
BIN=${DANELAB_BIN:-bin}
LOAD=${SECONDS_LOAD:-8}
CONC=${CONC:-32}
T=$(mktemp -d /tmp/danelab-bench-smtpd.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM

P="$BIN/dl-pki --dir $T/pki --now $(date +%s)"
$P issue root ca cn=bench-root -- issue int issuer=root ca cn=bench-int >/dev/null || exit 1
# Ten distinct P-256 chains spread over the 500 personas.
args=""
for i in 0 1 2 3 4 5 6 7 8 9; do
	args="$args -- issue mx$i issuer=int san=mx$i.bench.test -- chain $T/mx$i.pem $T/mx$i.key mx$i int"
done
# shellcheck disable=SC2086
$P key k $args >/dev/null || exit 1
i=0
while [ $i -lt 500 ]; do
	c=$((i % 10))
	printf 'persona bench/mx%d\n  listen 127.17.%d.%d 25\n  cert %s/mx%d.pem %s/mx%d.key\n' \
	    $i $((i / 250)) $((i % 250 + 1)) "$T" $c "$T" $c
	i=$((i + 1))
done >"$T/personas.conf"

export T BIN LOAD CONC
unshare --user --map-root-user --net --pid --fork --mount-proc --kill-child sh -c '
ip link set lo up
exec 3>"$T/ready"
"$BIN/dl-smtpd" -c "$T/personas.conf" --ready-fd 3 --control "$T/ctl" &
pid=$!
exec 3>&-
# readiness: the server writes "ready" once every listener is bound
n=0; until grep -q ready "$T/ready" 2>/dev/null; do n=$((n+1)); [ $n -gt 500 ] && exit 1; sleep 0.01; done
rss0=$(awk "/VmRSS/ {print \$2}" /proc/$pid/status)
# Two generators: the client side of a handshake costs more than the
# server side, and one generator process saturates its core first.
"$BIN/dl-smtpload" -a 127.17.0.1 --count 250 -c "$CONC" -d "$LOAD" >"$T/l1" &
l1=$!
"$BIN/dl-smtpload" -a 127.17.1.1 --count 250 -c "$CONC" -d "$LOAD" >"$T/l2"
wait $l1
out="$(cat "$T/l1") + $(cat "$T/l2")"
hwm=$(awk "/VmHWM/ {print \$2}" /proc/$pid/status)
cpu=$(awk "{print (\$14+\$15)/100}" /proc/$pid/stat)
kill $pid; wait $pid
rate=$(cat "$T/l1" "$T/l2" | sed -n "s/.*rate=\([0-9.]*\).*/\1/p" | awk "{s+=\$1} END {print s}")
echo "bench/smtpd/load $out"
echo "bench/smtpd/sessions_per_second $rate sessions/s (target >= 1000)"
echo "bench/smtpd/rss_idle_500_personas $((rss0 / 1024)) MB"
echo "bench/smtpd/rss_peak_500_personas $((hwm / 1024)) MB (VmHWM, target <= 30)"
echo "bench/smtpd/server_cpu $cpu s over ${LOAD} s"
'
