#!/usr/bin/env bash
# Measures the latency a failover adds, for each failure type (fast error, 429, refused connection,
# TCP reset, malformed body, hang, stall before the first token, unanswered SYN, a stream cut after
# its first content), with the shipped provider timeouts and breakers: Detour and the provider simulator in one
# JVM on loopback (detour.bench.FailoverLatency). Prints a Markdown table and writes it, with
# the raw samples as JSON, to bench/results/failover-<date>-<sha>/.
#
# Usage: scripts/bench/failover-latency.sh [--jar PATH] [--fast N] [--slow N] [--skip-defaults]
#   --jar PATH       the bench jar to measure, router and simulator inside (default:
#                    bench/target/detour-bench.jar, built if missing)
#   --fast N         requests per fast-failure case (default 100)
#   --slow N         requests per short-timeout case (default 3)
#   --skip-defaults  leave out the two cases with the default timeouts (about 80 s of waiting)
# Bounded: about 3 minutes on 2 cores; the JVM is stopped after 270 s whatever happens.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
COMMAND="scripts/bench/failover-latency.sh${*:+ $*}"
JAR=""
ARGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --jar) JAR="$2"; shift 2 ;;
    --fast|--slow) ARGS+=("$1" "$2"); shift 2 ;;
    --skip-defaults) ARGS+=("$1"); shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "failover-latency: unknown option '$1'" >&2; exit 2 ;;
  esac
done
if [[ -z "$JAR" ]]; then
  JAR="$ROOT/bench/target/detour-bench.jar"
  if [[ ! -f "$JAR" ]]; then
    "$ROOT/scripts/detour" build
  elif [[ -n "$(find "$ROOT"/pom.xml "$ROOT"/*/pom.xml "$ROOT"/*/src/main -newer "$JAR" -print -quit)" ]]; then
    echo "failover-latency: note: sources are newer than $JAR; measuring it as it is (rebuild to include them)" >&2
  fi
fi
[[ -f "$JAR" ]] || { echo "failover-latency: no jar at $JAR" >&2; exit 1; }

SHA="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]]; then SHA="$SHA-dirty"; fi
OUT="$ROOT/bench/results/failover-$(date -u +%Y%m%dT%H%M%SZ)-$SHA"
mkdir -p "$OUT"
JAVA_FLAGS=(-Xms256m -Xmx1g -XX:+UseG1GC -Dh2.bindAddress=127.0.0.1)

echo "java: $(java -version 2>&1 | head -1); cores: $(nproc); $(grep -m1 'model name' /proc/cpuinfo | sed 's/\s*:\s*/: /')"
echo "jar: $JAR; results: $OUT"

PID=""
stop() {
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then
    kill "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
}
trap stop EXIT INT TERM

# timeout(1) bounds the whole run (each request is bounded in the JVM too); killing it by its PID
# passes the signal on to the JVM.
timeout --kill-after=10 270 java "${JAVA_FLAGS[@]}" -cp "$JAR" detour.bench.FailoverLatency \
  --out "$OUT" --sha "$SHA" --command "$COMMAND" "${ARGS[@]}" > >(tee "$OUT/run.log") 2>&1 &
PID=$!
status=0
wait "$PID" || status=$?
PID=""
if [[ $status -eq 124 ]]; then echo "failover-latency: stopped after 270 s" >&2; fi
exit "$status"
