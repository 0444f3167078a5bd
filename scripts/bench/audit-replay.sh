#!/usr/bin/env bash
# Measures the audit's replay: fills a fresh H2 journal with EVENTS realistic rows (default
# 1,000,000: breaker incidents on 40 breakers and 4 nodes' routing records over a month, written
# through the real journal plugin and serializer by detour.bench.journal.JournalFill), then
# times `scripts/detour audit` over it, as text and as JSON, and prints events/s.
# Usage: scripts/bench/audit-replay.sh [events]      (MVN_FLAGS=-o builds offline)
#   AUDIT_REPLAY_DIR=DIR keeps the journal in DIR, and reuses it when it is already there.
# Bounded: the fill takes a few minutes for 1M rows, each audit run is cut at 15 minutes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAR="$ROOT/router/target/detour.jar"
BENCH_JAR="$ROOT/bench/target/detour-bench.jar"
EVENTS=${1:-1000000}
JAVA_OPTS="${JAVA_OPTS:--Xms256m -Xmx1g -XX:+UseG1GC}"
export JAVA_OPTS

# Build the jars with the reactor when one is missing or stale (package only: nothing is installed).
if [[ ! -f "$JAR" ]] || [[ ! -f "$BENCH_JAR" ]] \
    || [[ -n "$(find "$ROOT"/pom.xml "$ROOT"/*/pom.xml "$ROOT"/*/src/main -newer "$JAR" -print -quit)" ]] \
    || [[ -n "$(find "$ROOT"/pom.xml "$ROOT"/*/pom.xml "$ROOT"/*/src/main -newer "$BENCH_JAR" -print -quit)" ]]; then
  echo "audit-replay: building the jars (mvn package, tests skipped)..." >&2
  (cd "$ROOT" && mvn -B -q ${MVN_FLAGS:-} -pl bench -am package -DskipTests) >&2
fi

if [[ -n "${AUDIT_REPLAY_DIR:-}" ]]; then
  WORK="$AUDIT_REPLAY_DIR"
  mkdir -p "$WORK"
else
  WORK="$(mktemp -d -t detour-audit-replay.XXXXXX)"
  trap 'rm -rf "$WORK"' EXIT
fi
CONF="$WORK/bench.conf"
printf 'detour.journal.h2-file = "%s/journal"\n' "$WORK" >"$CONF"

echo "java: $(java -version 2>&1 | head -1); cores: $(nproc); JAVA_OPTS: $JAVA_OPTS"
if [[ -f "$WORK/journal.mv.db" ]]; then
  echo "journal: reusing $WORK/journal.mv.db"
else
  # shellcheck disable=SC2086 # JAVA_OPTS holds several flags
  java $JAVA_OPTS -Dh2.bindAddress=127.0.0.1 -Dconfig.file="$CONF" -cp "$BENCH_JAR" \
    detour.bench.journal.JournalFill "$EVENTS"
fi
echo "journal: $(du -h "$WORK/journal.mv.db" | cut -f1) in $WORK/journal.mv.db"

for format in text json; do
  out="$WORK/audit.$format"
  start=$(date +%s%N)
  timeout 900 "$ROOT/scripts/detour" audit --config "$CONF" --format "$format" >"$out"
  end=$(date +%s%N)
  ms=$(((end - start) / 1000000))
  awk -v ms="$ms" -v n="$EVENTS" -v f="$format" -v size="$(du -h "$out" | cut -f1)" 'BEGIN {
    printf "audit --format %s: %.1f s for %d events: %.0f events/s (output %s)\n", f, ms / 1000, n, n / (ms / 1000), size }'
done
head -3 "$WORK/audit.text"
grep -m1 -A3 "^Routing record" "$WORK/audit.text" || true
