#!/bin/sh
# The committed case matrices are exactly what scripts/gen-cases.py makes.
cd "$(dirname "$0")/../.." || exit 2
if out=$(python3 scripts/gen-cases.py --check 2>&1); then
	echo "PASS e2e/generated-cases/up-to-date"
else
	echo "FAIL e2e/generated-cases/up-to-date: $out" | head -5
	exit 1
fi
