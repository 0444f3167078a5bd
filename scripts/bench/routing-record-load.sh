#!/usr/bin/env bash
# Measures the routing record's journal writes during a full outage of the primary at a high
# request rate (default 500 requests/s for 60 s): every request fails over and is recorded, and
# the journal must still get one row per 10 s interval. Runs the simulator and the router in one
# JVM, on loopback; bounded by the duration plus a few seconds.
# Usage: scripts/bench/routing-record-load.sh [rate] [seconds]    (MVN_FLAGS=-o builds offline)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAR="$ROOT/bench/target/detour-bench.jar"
if [[ ! -f "$JAR" ]] || [[ -n "$(find "$ROOT"/pom.xml "$ROOT"/*/pom.xml "$ROOT"/*/src/main -newer "$JAR" -print -quit)" ]]; then
  echo "routing-record-load: building the jar (mvn package, tests skipped)..." >&2
  (cd "$ROOT" && mvn -B -q ${MVN_FLAGS:-} -pl bench -am package -DskipTests) >&2
fi
echo "java: $(java -version 2>&1 | head -1); cores: $(nproc)"
exec java -Xms256m -Xmx1g -XX:+UseG1GC -Dh2.bindAddress=127.0.0.1 \
  -cp "$JAR" detour.bench.RoutingRecordLoad "${1:-500}" "${2:-60}"
