#!/usr/bin/env bash
# scripts/bench/slowloris.sh [--connections N] [--duration S]: how long a client trickling its
# request headers holds Detour's connections (docs/benchmarks.md, "Slow headers"). One router
# (the benchmark's configuration, detour.http.header-read-timeout at its default unless
# HEADER_READ_TIMEOUT is set) in front of the simulator, on loopback; scripts/bench/slowloris.py
# opens N connections (default 200), sends each the start of a request head, then one byte per
# second on each for S seconds (default 20), and reports at 5, 10, 12, 15 and 20 s how many the router
# still holds open and whether a normal request on another connection is served. DETOUR_JAR runs
# another build (e.g. one made before the timeout existed). Bounded (about S + 15 s); everything it
# starts it stops, by PID.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAR="${DETOUR_JAR:-$ROOT/router/target/detour.jar}"
SIM_JAR="$ROOT/simulator/target/detour-simulator.jar"
CONNECTIONS=200 DURATION=20
while (($#)); do
  case "$1" in
    --connections) CONNECTIONS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    *) echo "slowloris: unknown option '$1' (use --connections N, --duration S)" >&2; exit 2 ;;
  esac
done

PORT_BASE=${BENCH_PORT_BASE:-9700}
SIM_P=$((PORT_BASE + 1)) SIM_F=$((PORT_BASE + 2)) ROUTER_PORT=$((PORT_BASE + 80))

log() { echo "slowloris: $*" >&2; }
NO_WRK=1  # raw sockets only
# shellcheck source=scripts/bench/common.sh
. "$ROOT/scripts/bench/common.sh"
for t in python3 java; do command -v $t >/dev/null || { log "$t is needed"; exit 1; }; done
[[ -n "${DETOUR_JAR:-}" ]] || ensure_jar "$ROOT" "$JAR"

WORK="$(mktemp -d)"
trap 'cleanup; rm -rf "$WORK"' EXIT
java -Xms256m -Xmx256m -cp "$SIM_JAR" detour.simulator.SimulatorMain \
  --instance primary=$SIM_P --instance fallback=$SIM_F >"$WORK/simulator.log" 2>&1 &
PIDS+=($!)
bench_router_conf $ROUTER_PORT 4096 $SIM_P $SIM_F "$WORK/journal" >"$WORK/router.conf"
if [[ -n "${HEADER_READ_TIMEOUT:-}" ]]; then echo "detour.http.header-read-timeout = $HEADER_READ_TIMEOUT" >>"$WORK/router.conf"; fi
java -Xms512m -Xmx512m -Dh2.bindAddress=127.0.0.1 -Dconfig.file="$WORK/router.conf" -jar "$JAR" >"$WORK/router.log" 2>&1 &
PIDS+=($!)
wait_port $SIM_P; wait_port $SIM_F; wait_port $ROUTER_PORT
log "router on 127.0.0.1:$ROUTER_PORT ($JAR); $CONNECTIONS connections trickling 1 byte/s for $DURATION s"
python3 "$ROOT/scripts/bench/slowloris.py" $ROUTER_PORT --connections "$CONNECTIONS" --duration "$DURATION"
