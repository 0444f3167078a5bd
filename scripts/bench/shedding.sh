#!/usr/bin/env bash
# scripts/bench/shedding.sh [--quick]: what detour.http.load-shedding does when the router's CPU is
# saturated (docs/benchmarks.md, "Load shedding, before and after"). The same overload against a
# fresh router on core 0, load shedding off then on, in two rounds (--quick: one). The upstream
# answers at once (1.4 KB), so that the router's own work is what saturates it. Each run: wrk warms
# the router and measures its closed-loop ceiling; then NioLoadDriver sends 1,000/s (normal), twice
# the first run's ceiling (the same load for every run), and 1,000/s again. Bounded (about 15
# minutes, --quick about 4); everything it starts it stops, by PID.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAR="$ROOT/router/target/detour.jar"
SIM_JAR="$ROOT/simulator/target/detour-simulator.jar"
BENCH_JAR="$ROOT/bench/target/detour-bench.jar"
QUICK=0
case "${1:-}" in
  --quick) QUICK=1 ;;
  "") ;;
  *) echo "shedding: unknown option '$1' (use --quick)" >&2; exit 2 ;;
esac
if ((QUICK)); then ROUNDS=1 WARM_S=30 NORMAL_S=5 OVER_S=10 AFTER_S=10; else ROUNDS=2 WARM_S=120 NORMAL_S=10 OVER_S=30 AFTER_S=20; fi
MAX_IN_FLIGHT=1024

PORT_BASE=${BENCH_PORT_BASE:-9600}
SIM_P=$((PORT_BASE + 1)) SIM_F=$((PORT_BASE + 2)) ROUTER_PORT=$((PORT_BASE + 80))
ROUTER_JVM="-Xms512m -Xmx512m -XX:+UseParallelGC -Dh2.bindAddress=127.0.0.1"
DRIVER_JVM="-Xms256m -Xmx512m -XX:+UseParallelGC -XX:TieredStopAtLevel=1"

log() { echo "shedding: $*" >&2; }
# shellcheck source=scripts/bench/common.sh
. "$ROOT/scripts/bench/common.sh"
for t in taskset curl python3 java wrk; do command -v $t >/dev/null || { log "$t is needed"; exit 1; }; done
ensure_jar "$ROOT" "$JAR"

SHA="$(git -C "$ROOT" rev-parse --short HEAD)"
OUT="$ROOT/bench/results/shedding-$(date -u +%Y%m%d-%H%M%S)-$SHA"
RAW="$OUT/raw" WORK="$OUT/work"
mkdir -p "$RAW" "$WORK"
BODY="$WORK/body.json"
echo '{"model":"bench","max_tokens":256,"messages":[{"role":"user","content":"Say hello."}]}' >"$BODY"
LOAD_BEFORE="$(cat /proc/loadavg)"
log "results: $OUT (load: $LOAD_BEFORE)"

taskset -c 1 java -Xms512m -Xmx512m -XX:+UseParallelGC -cp "$SIM_JAR" detour.simulator.SimulatorMain \
  --instance primary=$SIM_P --instance fallback=$SIM_F >"$WORK/simulator.log" 2>&1 &
PIDS+=($!)
wait_port $SIM_P; wait_port $SIM_F
for port in $SIM_P $SIM_F; do
  curl -sf -X PUT "http://127.0.0.1:$port/_simulator/behaviour" -H 'Content-Type: application/json' \
    -d '{"mode":"ok","answer_bytes":1400}' >/dev/null
done
URL="http://127.0.0.1:$ROUTER_PORT/v1/chat/completions"
# The simulator runs through every run: warm it first, or the first run's ceiling is its JIT's.
taskset -c 1 wrk -t1 -c32 -d30s --timeout 10s -s "$ROOT/scripts/bench/post.lua" \
  "http://127.0.0.1:$SIM_P/v1/chat/completions" -- "$BODY" >/dev/null

RUNS=()
for ((r = 1; r <= ROUNDS; r++)); do RUNS+=("off-$r" "on-$r"); done
for run in "${RUNS[@]}"; do
  mode=${run%-*}
  { bench_router_conf $ROUTER_PORT $MAX_IN_FLIGHT $SIM_P $SIM_F "$WORK/journal-$run"
    echo "detour.http.load-shedding.enabled = $mode"; } >"$WORK/router-$run.conf"
  (cd "$WORK" && exec taskset -c 0 java $ROUTER_JVM -Dconfig.file="$WORK/router-$run.conf" -jar "$JAR") \
    >"$WORK/detour-$run.log" 2>&1 &
  router=$!; PIDS+=("$router")
  wait_port $ROUTER_PORT
  log "$run (shedding $mode): warming the router for ${WARM_S}s"
  taskset -c 1 wrk -t1 -c32 -d"${WARM_S}s" --timeout 10s -s "$ROOT/scripts/bench/post.lua" "$URL" -- "$BODY" >/dev/null
  taskset -c 1 wrk -t1 -c32 -d10s --timeout 10s -s "$ROOT/scripts/bench/post.lua" "$URL" -- "$BODY" \
    | grep '^WRK_JSON ' | sed 's/^WRK_JSON //' >"$RAW/$run-wrk.json"
  # The first run's ceiling sets the overload of both, so that both meet the same load.
  if [[ -z "${ceiling:-}" ]]; then
    ceiling=$(python3 -c "import json,sys; print(max(100, int(json.load(open(sys.argv[1]))['rps'])))" "$RAW/$run-wrk.json")
  fi
  log "$run (shedding $mode): closed-loop $(python3 -c "import json,sys; print(int(json.load(open(sys.argv[1]))['rps']))" "$RAW/$run-wrk.json") rps; overload at $((2 * ceiling))/s for ${OVER_S}s"
  taskset -c 1 java $DRIVER_JVM -cp "$BENCH_JAR" detour.bench.NioLoadDriver --url "$URL" --body "$BODY" \
    --label "$run" --pid "$router" --out "$RAW/$run-overload.json" --connections $((4 * MAX_IN_FLIGHT)) \
    --phase "1000:$NORMAL_S" --phase "$((2 * ceiling)):$OVER_S" --phase "1000:$AFTER_S" --drain 20
  echo "{\"ceiling\": $ceiling, \"normal_seconds\": $NORMAL_S, \"overload_seconds\": $OVER_S, \"after_seconds\": $AFTER_S}" \
    >"$RAW/$run-plan.json"
  grep -E 'node (no longer )?saturated' "$WORK/detour-$run.log" >"$RAW/$run-shedding-log.txt" || true
  stop "$router"
done

python3 - "$RAW" "$OUT/summary.md" "$SHA" "$LOAD_BEFORE" "$(cat /proc/loadavg)" "${RUNS[@]}" <<'PY'
import json, sys
raw, out, sha, load_before, load_after = sys.argv[1:6]
runs = sys.argv[6:]
def load(name): return json.load(open(f"{raw}/{name}.json"))
lines = [f"# Load shedding when the router's CPU is saturated (commit `{sha}`)", "",
         f"Load average before / after: `{load_before}` / `{load_after}`. Instant upstream, 1.4 KB; router on core 0, "
         "simulator and NioLoadDriver on core 1; 4,096 driver connections; `max-in-flight = 1024`.", "",
         "| shedding | closed-loop rps | offered | during the overload: 2xx/s | 2xx p50 / p99 ms | 2xx service p99 ms | 503/s | 503 service p99 ms | "
         "other failures | router CPU | driver lag max ms | normal p99 ms | seconds until p99 normal after |",
         "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
NAMES = {"off": "off: the in-flight bound only", "on": "on (the default)"}
for run in runs:
    mode, rnd = run.rsplit("-", 1)
    d, plan, wrk = load(f"{run}-overload"), load(f"{run}-plan"), load(f"{run}-wrk")
    per = d["per_second"]
    n, o = plan["normal_seconds"], plan["overload_seconds"]
    normal = [s for s in per if 1 < s["second"] <= n]
    normal_p99 = max(s["p99_ms"] for s in normal) if normal else None
    over = [s for s in per if n < s["second"] <= n + o]
    ok_rate = sum(s["ok"] for s in over) / max(1, len(over))
    fail_rate = sum(s["failed"] for s in over) / max(1, len(over))
    ok_p50 = sorted(s["p50_ms"] for s in over)[len(over) // 2] if over else None
    ok_p99 = max(s["p99_ms"] for s in over) if over else None
    rec = None
    for s in per:
        if s["second"] > n + o and s["failed"] == 0 and s["ok"] > 0 and normal_p99 is not None \
                and s["p99_ms"] <= 1.5 * normal_p99 + 1:
            rec = s["second"] - (n + o)
            break
    other = d["intended"] - d["ok"] - d["statuses"].get("503", 0)
    cpu = d.get("process", {}).get("cpu_percent_of_one_core")
    f = lambda v, k=1: "n/a" if v is None else f"{v:,.{k}f}"
    lines.append(f"| {NAMES[mode]}, run {rnd} | {wrk['rps']:,.0f} | {2 * plan['ceiling']:,}/s for {o} s | {ok_rate:,.0f} | {f(ok_p50)} / {f(ok_p99)} | "
                 f"{f(d['service_ms']['p99'])} | {fail_rate:,.0f} | {f(d['failed_service_ms']['p99'])} | {other} | {f(cpu, 0)} % | "
                 f"{f(d['send_lag_max_ms'])} | {f(normal_p99)} | {rec if rec is not None else 'not within the run'} |")
lines += ["", "Per-second figures of each run are in `raw/<mode>-<round>-overload.json`; the router's log lines about "
          "shedding in `raw/<mode>-<round>-shedding-log.txt`. 2xx p50 is the median of the overload's per-second medians, 2xx p99 the worst "
          "second's p99, both from each request's intended send time (the driver's wait for a connection included); "
          "service times count from the actual send. \"Normal\" = the worst per-second p99 at 1,000/s before the overload; "
          "recovered = the first second after it without failures and with a p99 at most 1.5 x normal + 1 ms.", ""]
open(out, "w").write("\n".join(lines))
print("\n".join(lines))
PY
log "done: $OUT/summary.md"
