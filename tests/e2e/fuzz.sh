#!/bin/sh
# Every libFuzzer target (tests/fuzz/fuzz_NAME.c -> bin/fuzz-NAME) runs for
# FUZZ_SECONDS (default 5) over its committed seed corpus
# tests/fuzz/corpus/NAME.  A crash, leak, timeout or sanitizer report is a
# FAIL; the input is kept as /tmp/danelab-fuzz-NAME.crash for the report.
# `make fuzz` runs the same for 30 s each.  Needs clang (deps.sh test).
set -u
cd "$(dirname "$0")/../.." || exit 2
SECS=${FUZZ_SECONDS:-5}
T=$(mktemp -d /tmp/danelab-e2e-fuzz.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
fails=0

if ! command -v clang >/dev/null 2>&1; then
	echo "SKIP e2e/fuzz/all: no clang (scripts/deps.sh test installs it)"
	exit 0
fi
if ! make --no-print-directory -s fuzz-bins >"$T/build.out" 2>&1; then
	echo "FAIL e2e/fuzz/build: $(tail -n 5 "$T/build.out" | tr '\n' ' ')"
	exit 1
fi
for src in tests/fuzz/fuzz_*.c; do
	name=${src##*/fuzz_}
	name=${name%.c}
	corpus=tests/fuzz/corpus/$name
	if [ ! -d "$corpus" ] || [ -z "$(ls "$corpus")" ]; then
		echo "FAIL e2e/fuzz/$name: no seed corpus in $corpus"
		fails=$((fails + 1))
		continue
	fi
	# New inputs go to the first directory (scratch), never to the corpus.
	mkdir -p "$T/$name"
	bin/fuzz-$name -max_total_time="$SECS" -timeout=10 -rss_limit_mb=1024 \
	    -artifact_prefix="$T/$name-" -print_final_stats=1 "$T/$name" "$corpus" \
	    >"$T/$name.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$T/$name.log")
	if [ $rc -eq 0 ]; then
		echo "PASS e2e/fuzz/$name (${runs:-?} runs in ${SECS} s)"
	else
		art=$(ls "$T/$name"-* 2>/dev/null | head -n 1)
		[ -n "$art" ] && cp "$art" "/tmp/danelab-fuzz-$name.crash"
		echo "FAIL e2e/fuzz/$name: exit $rc, input /tmp/danelab-fuzz-$name.crash:" \
		    "$(grep -m 1 -E 'ERROR|SUMMARY|runtime error' "$T/$name.log")"
		fails=$((fails + 1))
	fi
done
[ $fails -eq 0 ]
