#!/bin/sh
# bench/client.sh -- per-message cost of bin/dl-client in a warm lab.
#
# Builds the e2e world (tests/e2e/lib/client-world.sh) in a private
# namespace, warms the lab resolver, then sends N messages each to a
# DANE-EE(3 1 1) and a DANE-TA(2 0 1) destination, one dl-client process
# per message (fresh libunbound context: the lab Unbound is warm, the
# client's own cache is cold, as for a real one-shot client).  Prints
# wall and CPU (user+sys of the client processes) per delivery, and
# "PASS/FAIL bench/client/..." against the 10 ms wall target.
#   bench/client.sh [N]      (default 50)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${DANELAB_BIN:-bin}
case $BIN in /*) ;; *) BIN=$ROOT/$BIN ;; esac
N=${1:-50}
if [ "${DL_E2E_INNER:-}" != 1 ]; then
	export DL_E2E_INNER=1 BIN ROOT PATH="$PATH:/usr/sbin"
	exec unshare --user --map-root-user --net --pid --fork --mount-proc \
	    --kill-child sh "$0" "$@"
fi
. "$ROOT/tests/e2e/lib/client-world.sh"

printf 'Subject: bench\n\nhello\n' >msg
# The timing loop is Python: wall per message from a monotonic clock, CPU
# from getrusage(RUSAGE_CHILDREN), i.e. the dl-client processes only.
cat >bench.py <<'PY'
import json, resource, subprocess, sys, time
binp, ta, domain, want, n = sys.argv[1:6]
cmd = [binp, "--resolver", "127.0.0.1", "--trust-anchor", ta, "--from",
       "b@lab.test", "--rcpt", "u@" + domain, "--message", "msg"]
subprocess.run(cmd, capture_output=True)            # warm the lab resolver
r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
t0 = time.monotonic()
ok = 0
walls = []
for _ in range(int(n)):
    t = time.monotonic()
    out = subprocess.run(cmd, capture_output=True).stdout
    walls.append(time.monotonic() - t)
    ok += json.loads(out).get("security") == want
t1 = time.monotonic()
r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
# Baseline: the same binary doing nothing (fork, exec, dynamic linking).
b0 = time.monotonic()
for _ in range(int(n)):
    subprocess.run([binp, "--list-violations"], capture_output=True)
base = (time.monotonic() - b0) * 1e3 / int(n)
walls.sort()
print("%d %.2f %.2f %.2f %.2f" % (ok, (t1 - t0) * 1e3 / int(n),
      walls[len(walls) // 2] * 1e3, cpu * 1e3 / int(n), base))
PY
bench() { # label domain want-security
	set -- "$1" $(python3 bench.py "$BIN/dl-client" "$W/root.ds" "$2" "$3" "$N")
	echo "bench client $1: $N deliveries, wall $3 ms/msg (median $4), cpu $5 ms/msg; process start alone $6 ms"
	[ "$2" -eq "$N" ] && pass "bench-$1-delivered" || fail "bench-$1-delivered" "$2 of $N with DANE"
	awk -v w="$3" 'BEGIN { exit !(w <= 10) }' && pass "bench-$1-wall-10ms" ||
	    fail "bench-$1-wall-10ms" "got $3 ms, want <= 10"
}
bench dane-ee ok.test dane
bench dane-ta ta.test dane
exit 0
