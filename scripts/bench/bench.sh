#!/usr/bin/env bash
# scripts/detour bench [--quick | --smoke] [--no-peer] [--rounds N]: the healthy-path and overload benchmarks.
# Direct (the simulator alone), Detour and the peer (Portkey AI Gateway 1.15.2) are measured in
# interleaved rounds against the same provider simulator; writes bench/results/<date>-<sha>/ with
# raw JSON, HDR histogram logs and summary.md. See docs/benchmarks.md. Everything it starts it stops
# (by PID, on EXIT). Failover figures are not measured here: see scripts/bench/failover-latency.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAR="$ROOT/router/target/detour.jar"
SIM_JAR="$ROOT/simulator/target/detour-simulator.jar"
BENCH_JAR="$ROOT/bench/target/detour-bench.jar"
QUICK=0 SMOKE=0 PEER=1 ROUNDS=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1 ;;
    # The CI smoke run (scripts/bench/ci-smoke.sh): every table, each from a second or two of load.
    --smoke) QUICK=1 SMOKE=1 ;;
    --no-peer) PEER=0 ;;
    --rounds) ROUNDS="$2"; shift ;;
    *) echo "bench: unknown option '$1' (use --quick, --smoke, --no-peer, --rounds N)" >&2; exit 2 ;;
  esac
  shift
done

# ---- sizes of the run -----------------------------------------------------------------------
if ((SMOKE)); then
  ROUNDS=${ROUNDS:-1} WARM_S=2 LAT_S=2 OPEN_S=2 STREAM_S=2 SEARCH_S=1 WRK_S=2 OVER_S=3 AFTER_S=2
  OPEN_RATES=(1000) SEARCH_RATES=(1000) STREAM_STEPS=(100) LARGE=0
elif ((QUICK)); then
  ROUNDS=${ROUNDS:-2} WARM_S=20 LAT_S=3 OPEN_S=3 STREAM_S=3 SEARCH_S=2 WRK_S=3 OVER_S=10 AFTER_S=8
  OPEN_RATES=(1000 2000) SEARCH_RATES=(1000 2000 4000) STREAM_STEPS=(100 1000) LARGE=0
else
  ROUNDS=${ROUNDS:-3} WARM_S=45 LAT_S=10 OPEN_S=10 STREAM_S=10 SEARCH_S=5 WRK_S=10 OVER_S=60 AFTER_S=15
  OPEN_RATES=(500 1000 2000 5000) SEARCH_RATES=(1000 2000 3000 4000 5000 6000 8000 10000)
  STREAM_STEPS=(100 250 500 1000) LARGE=1
fi
# Loopback ports: BENCH_PORT_BASE + 1, 2 (simulator), + 80 (Detour), + 87 (Portkey).
PORT_BASE=${BENCH_PORT_BASE:-9400}
SIM_P=$((PORT_BASE + 1)) SIM_F=$((PORT_BASE + 2)) ROUTER_PORT=$((PORT_BASE + 80)) PEER_PORT=$((PORT_BASE + 87))
MAX_IN_FLIGHT=1024
# The open-loop driver's connections for non-streamed calls (a fixed set, as wrk's): beyond them,
# requests wait in the driver, counted in their latency (docs/benchmarks.md).
DRIVER_CONNS=256
# Against the 60 ms upstream a connection carries at most 1 / 60 ms = 16.7 requests/s, so 256 would
# cap the open-loop table at 4,266/s, below its 5,000/s: it gets as many as Detour admits.
OPEN_CONNS=$MAX_IN_FLIGHT
ROUTER_JVM="-Xms512m -Xmx512m -XX:+UseParallelGC -Dh2.bindAddress=127.0.0.1"
SIM_JVM="-Xms512m -Xmx512m -XX:+UseParallelGC"
# The driver: C1 only (TieredStopAtLevel=1), so that its JIT does not take core 1 from the simulator
# in each short-lived driver JVM (docs/benchmarks.md: lag fell from 580 ms to 150 ms at 2,000/s).
DRIVER_JVM="-Xms256m -Xmx512m -XX:+UseParallelGC -XX:TieredStopAtLevel=1"
PORTKEY_VERSION=1.15.2
PEER_DIR="$ROOT/bench/peer"

# ---- tools ----------------------------------------------------------------------------------
log() { echo "bench: $*" >&2; }
for t in taskset curl python3 java mvn; do command -v $t >/dev/null || { log "$t is needed"; exit 1; }; done
if ((PEER)); then
  if [[ ! -f "$PEER_DIR/node_modules/@portkey-ai/gateway/build/start-server.js" ]]; then
    if command -v npm >/dev/null; then
      log "installing @portkey-ai/gateway@$PORTKEY_VERSION into bench/peer (git-ignored)"
      mkdir -p "$PEER_DIR"
      (cd "$PEER_DIR" && timeout 300 npm install --no-audit --no-fund --silent "@portkey-ai/gateway@$PORTKEY_VERSION") >&2 || true
    fi
    [[ -f "$PEER_DIR/node_modules/@portkey-ai/gateway/build/start-server.js" ]] || { log "Portkey unavailable: peer skipped"; PEER=0; }
  fi
fi

SHA="$(git -C "$ROOT" rev-parse --short HEAD)"
OUT="$ROOT/bench/results/$(date -u +%Y%m%d-%H%M%S)-$SHA"
RAW="$OUT/raw"
mkdir -p "$RAW" "$OUT/work"
BODY="$OUT/work/body.json" SBODY="$OUT/work/stream-body.json"
echo '{"model":"bench","max_tokens":256,"messages":[{"role":"user","content":"Say hello."}]}' >"$BODY"
echo '{"model":"bench","max_tokens":256,"stream":true,"messages":[{"role":"user","content":"Say hello."}]}' >"$SBODY"

# ---- processes: every one started here is stopped here, by PID ------------------------------
# shellcheck source=scripts/bench/common.sh
. "$ROOT/scripts/bench/common.sh"
ensure_jar "$ROOT" "$JAR"

# The simulator: its own JVM on core 1, nothing logged per request (akka WARNING, see ProviderSimulator).
taskset -c 1 java $SIM_JVM -cp "$SIM_JAR" detour.simulator.SimulatorMain \
  --instance primary=$SIM_P --instance fallback=$SIM_F >"$OUT/work/simulator.log" 2>&1 &
SIM_PID=$!; PIDS+=("$SIM_PID")
wait_port $SIM_P; wait_port $SIM_F
sim() { # sim JSON: the behaviour of both instances
  local port
  for port in $SIM_P $SIM_F; do
    curl -sf -X PUT "http://127.0.0.1:$port/_simulator/behaviour" -H 'Content-Type: application/json' -d "$1" >/dev/null
  done
}
SMALL='"answer_bytes":1400' LARGE_BODY='"answer_bytes":10240'

bench_router_conf $ROUTER_PORT $MAX_IN_FLIGHT $SIM_P $SIM_F "$OUT/work/journal" >"$OUT/work/bench.conf"
PORTKEY_CONFIG="{\"strategy\":{\"mode\":\"fallback\"},\"targets\":[{\"provider\":\"openai\",\"api_key\":\"sk-bench\",\"custom_host\":\"http://127.0.0.1:$SIM_P/v1\"},{\"provider\":\"openai\",\"api_key\":\"sk-bench\",\"custom_host\":\"http://127.0.0.1:$SIM_F/v1\"}]}"

TARGET_PID=""
start_target() { # start_target detour|peer: on core 0
  case "$1" in
    detour)
      (cd "$OUT/work" && exec taskset -c 0 java $ROUTER_JVM -Dconfig.file="$OUT/work/bench.conf" -jar "$JAR") \
        >>"$OUT/work/detour.log" 2>&1 &
      TARGET_PID=$!; PIDS+=("$TARGET_PID"); wait_port $ROUTER_PORT ;;
    peer)
      (cd "$PEER_DIR/node_modules/@portkey-ai/gateway" && NODE_ENV=production exec taskset -c 0 node build/start-server.js \
        --port=$PEER_PORT --headless) >>"$OUT/work/portkey.log" 2>&1 &
      TARGET_PID=$!; PIDS+=("$TARGET_PID"); wait_port $PEER_PORT ;;
  esac
}
url_of() {
  case "$1" in
    direct) echo "http://127.0.0.1:$SIM_P/v1/chat/completions" ;;
    detour) echo "http://127.0.0.1:$ROUTER_PORT/v1/chat/completions" ;;
    peer) echo "http://127.0.0.1:$PEER_PORT/v1/chat/completions" ;;
  esac
}
body_for() { echo "$2"; } # one body for all: "bench" is Detour's route, and any model to the others

drive() { # drive TARGET NAME [driver args...]: one open-loop run on core 1, JSON to raw/NAME.json
  local target=$1 name=$2; shift 2
  local hdr=() pid=() driver=NioLoadDriver
  if [[ "$target" == peer ]]; then hdr=(--header "x-portkey-config:$PORTKEY_CONFIG"); fi
  if [[ "$target" != direct ]]; then pid=(--pid "$TARGET_PID"); fi
  # Streams need the JDK HttpClient's line reading; every other call goes through the leaner
  # one-thread NIO driver, which leaves core 1 to the simulator (docs/benchmarks.md, "How").
  if [[ " $* " == *" --stream "* ]]; then driver=LoadDriver; fi
  taskset -c 1 java $DRIVER_JVM -cp "$BENCH_JAR" "detour.bench.$driver" --url "$(url_of "$target")" \
    --label "$name" "${hdr[@]}" "${pid[@]}" --out "$RAW/$name.json" --hdr-log "$RAW/$name.hlog" "$@" \
    || log "driver failed: $name"
}
wrk_run() { # wrk_run TARGET NAME SECONDS CONNECTIONS: closed loop on core 1, JSON to raw/NAME.json
  local target=$1 name=$2 secs=$3 conns=$4 extra=()
  if [[ "$target" == peer ]]; then extra=("x-portkey-config:$PORTKEY_CONFIG"); fi
  taskset -c 1 wrk -t1 -c"$conns" -d"${secs}s" --timeout 10s -s "$ROOT/scripts/bench/post.lua" "$(url_of "$target")" \
    -- "$(body_for "$target" "$BODY")" "${extra[@]}" 2>&1 | grep '^WRK_JSON ' | sed 's/^WRK_JSON //' >"$RAW/$name.json" || true
}
p99_of() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['latency_ms']['p99'], d['error_rate'])" "$1"; }

# ---- one target's measurements -------------------------------------------------------------
per_round() { # per_round TARGET ROUND
  local t=$1 r=$2 b sb rate
  b="$(body_for "$t" "$BODY")" sb="$(body_for "$t" "$SBODY")"
  log "round $r: $t"
  sim "{\"mode\":\"ok\",$SMALL}"
  # Discarded: the JIT of a fresh JVM on one core takes a minute or more to settle (docs/benchmarks.md).
  # The simulator (direct) runs through every round, so it is warmed in the first only.
  if [[ "$t" != direct || $r -eq 1 ]]; then wrk_run "$t" "r$r-$t-warmup" "$WARM_S" 32; fi
  drive "$t" "r$r-$t-lat1-small" --body "$b" --phase 200:$LAT_S --warmup 1 --connections $DRIVER_CONNS
  if ((LARGE)); then
    sim "{\"mode\":\"ok\",$LARGE_BODY}"
    drive "$t" "r$r-$t-lat1-large" --body "$b" --phase 200:$LAT_S --warmup 1 --connections $DRIVER_CONNS
  fi
  sim "{\"mode\":\"slow\",\"delay_ms\":60,$SMALL}"
  for rate in "${OPEN_RATES[@]}"; do
    drive "$t" "r$r-$t-open-$rate" --body "$b" --phase "$rate:$OPEN_S" --warmup 1 --drain 15 --connections $OPEN_CONNS
  done
  sim "{\"mode\":\"ok\",$SMALL,\"chunks\":20,\"chunk_interval_ms\":20,\"first_token_ms\":50}"
  drive "$t" "r$r-$t-stream" --body "$sb" --stream --expect-chunks 20 --stall-ms 1000 --phase 50:$STREAM_S --warmup 1
}

once() { # once TARGET: throughput, concurrent streams, memory, overload (the last round only)
  local t=$1 b sb rate n res p99 err ceiling
  b="$(body_for "$t" "$BODY")" sb="$(body_for "$t" "$SBODY")"
  log "once: $t"
  if [[ "$t" != direct ]]; then echo "{\"rss_idle_kb\": $(rss_kb "$TARGET_PID")}" >"$RAW/$t-idle.json"; fi
  sim "{\"mode\":\"ok\",$SMALL}"
  wrk_run "$t" "$t-wrk-warmup" 2 32
  wrk_run "$t" "$t-wrk" "$WRK_S" 32
  for rate in "${SEARCH_RATES[@]}"; do
    drive "$t" "$t-search-$rate" --body "$b" --phase "$rate:$SEARCH_S" --warmup 1 --drain 10 --connections $DRIVER_CONNS
    res=$(p99_of "$RAW/$t-search-$rate.json" 2>/dev/null || echo "999 1")
    read -r p99 err <<<"$res"
    python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 5 and float(sys.argv[2]) < 0.001 else 1)" "$p99" "$err" || break
  done
  sim "{\"mode\":\"ok\",$SMALL,\"chunks\":20,\"chunk_interval_ms\":250}"
  for n in "${STREAM_STEPS[@]}"; do
    drive "$t" "$t-streams-$n" --body "$sb" --stream --expect-chunks 20 --stall-ms 1000 --phase "$n:1" --drain 30
  done
  if [[ "$t" != direct ]]; then
    ceiling=$(python3 -c "import json,sys; print(max(100, int(json.load(open(sys.argv[1]))['rps'])))" "$RAW/$t-wrk.json" 2>/dev/null || echo 2000)
    sim "{\"mode\":\"slow\",\"delay_ms\":60,$SMALL}"
    drive "$t" "$t-overload" --body "$b" --phase "$((2 * ceiling)):$OVER_S" --phase "1000:$AFTER_S" --warmup 1 --drain 20 \
      --connections $((4 * MAX_IN_FLIGHT))  # far more than Detour admits: the excess must be shed with 503
    echo "{\"overload_rate\": $((2 * ceiling)), \"overload_seconds\": $OVER_S, \"after_seconds\": $AFTER_S}" >"$RAW/$t-overload-plan.json"
  fi
}

# ---- the run --------------------------------------------------------------------------------
TARGETS=(direct detour); if ((PEER)); then TARGETS+=(peer); fi
LOAD_BEFORE="$(cat /proc/loadavg)"
log "results: $OUT (load: $LOAD_BEFORE)"
STARTED=$(date +%s)
for ((r = 1; r <= ROUNDS; r++)); do
  for t in "${TARGETS[@]}"; do
    TARGET_PID=""
    if [[ "$t" != direct ]]; then start_target "$t"; fi
    if [[ "$t" == peer && $r -eq 1 ]]; then # prove the peer answers through its fallback config
      curl -s -m 10 "$(url_of peer)" -H 'Content-Type: application/json' -H "x-portkey-config: $PORTKEY_CONFIG" \
        -d @"$BODY" >"$RAW/peer-probe.json" || true
    fi
    per_round "$t" "$r"
    if ((r == ROUNDS)); then once "$t"; fi
    if [[ -n "$TARGET_PID" ]]; then stop "$TARGET_PID"; fi
  done
done
LOAD_AFTER="$(cat /proc/loadavg)"
stop "$SIM_PID"

python3 - "$OUT/meta.json" <<PY
import json, sys, subprocess
json.dump({
  "sha": "$SHA", "quick": bool($QUICK), "smoke": bool($SMOKE), "rounds": $ROUNDS, "peer": bool($PEER),
  "peer_version": "@portkey-ai/gateway@$PORTKEY_VERSION" if $PEER else None,
  "started_epoch": $STARTED, "seconds": $(date +%s) - $STARTED,
  "load_before": "$LOAD_BEFORE", "load_after": "$LOAD_AFTER",
  "nproc": int(subprocess.check_output(["nproc"]).decode()),
  "cpu": subprocess.check_output("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2", shell=True).decode().strip(),
  "mem_total": subprocess.check_output("grep -m1 MemTotal /proc/meminfo | awk '{print \$2\" kB\"}'", shell=True).decode().strip(),
  "java": subprocess.check_output(["java", "-version"], stderr=subprocess.STDOUT).decode().splitlines()[0],
  "node": subprocess.check_output(["node", "--version"]).decode().strip() if $PEER else None,
  "wrk": "wrk " + (subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()[1:2] or ["?"])[0],
  "router_jvm": "$ROUTER_JVM", "simulator_jvm": "$SIM_JVM", "driver_jvm": "$DRIVER_JVM",
  "max_in_flight": $MAX_IN_FLIGHT, "provider_max_connections": 1024, "provider_max_open_requests": 2048,
  "placement": "router or peer: taskset -c 0; simulator, wrk and the load drivers: taskset -c 1",
  "open_rates": [${OPEN_RATES[*]/%/,}], "search_rates": [${SEARCH_RATES[*]/%/,}], "stream_steps": [${STREAM_STEPS[*]/%/,}],
}, open(sys.argv[1], "w"), indent=2)
PY
python3 "$ROOT/scripts/bench/summary.py" "$OUT"
log "done in $(($(date +%s) - STARTED)) s: $OUT/summary.md"
echo "$OUT"
