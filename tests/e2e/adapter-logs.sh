#!/bin/sh
# The Postfix and Exim adapters' log parsing on recorded excerpts (no MTA
# needed): TLS is attributed per connection, and an MTA that takes a lab
# address for its own is reported as a fault of the lab.
cd "$(dirname "$0")/../.." || exit 2
exec python3 tests/e2e/adapter_logs.py
