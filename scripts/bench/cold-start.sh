#!/usr/bin/env bash
# Measures Detour's cold start: from launching `java -jar detour.jar` to its "HTTP bound" log line,
# with a fresh H2 journal each run (schema creation included) and the simulated configuration.
# Usage: scripts/bench/cold-start.sh [runs]   (default 5; each run is bounded to 60 s)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAR="$ROOT/router/target/detour.jar"
RUNS=${1:-5}
PORT=${BENCH_PORT:-18181}
[[ -f "$JAR" ]] || "$ROOT/scripts/detour" build
WORK="$(mktemp -d -t detour-cold-start.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

echo "java: $(java -version 2>&1 | head -1); cores: $(nproc); jar: $(du -h "$JAR" | cut -f1)"
times=()
for ((run = 1; run <= RUNS; run++)); do
  log="$WORK/run-$run.log"
  start=$(date +%s%N)
  DETOUR_PORT=$PORT DETOUR_H2_FILE="$WORK/journal-$run" \
    java -Xms256m -Xmx1g -XX:+UseG1GC -Dh2.bindAddress=127.0.0.1 \
      -Dconfig.file="$ROOT/scripts/conf/simulated.conf" -jar "$JAR" >"$log" 2>&1 &
  pid=$!
  bound=""
  for ((i = 0; i < 6000; i++)); do
    if grep -q "HTTP bound" "$log"; then bound=$(date +%s%N); break; fi
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.01
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [[ -z "$bound" ]]; then echo "run $run: did not start"; tail -5 "$log"; exit 1; fi
  ms=$(((bound - start) / 1000000))
  times+=("$ms")
  echo "run $run: ${ms} ms to HTTP bound"
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
echo "cold start to HTTP bound over $RUNS runs: min ${sorted[0]} ms, median ${sorted[$((RUNS / 2))]} ms, max ${sorted[$((RUNS - 1))]} ms"
