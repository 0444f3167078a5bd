#!/usr/bin/env bash
# Measures the breaker's detection time (outage to OPEN) and recovery time (healthy to CLOSED) with
# the shipped defaults, at 50 requests per second against simulated providers on loopback.
# Bounded: about 90 s; everything runs in one JVM that exits by itself.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
"$ROOT/scripts/detour" build
echo "java: $(java -version 2>&1 | head -1); cores: $(nproc)"
exec java -Xms256m -Xmx1g -XX:+UseG1GC -Dh2.bindAddress=127.0.0.1 \
  -cp "$ROOT/bench/target/detour-bench.jar" detour.bench.BreakerTiming
