#!/usr/bin/env bash
# scripts/bench/cluster-cost.sh [--quick]: what cluster mode costs on the healthy path, and what a
# cluster writes to the journal during an outage at its highest load (docs/benchmarks.md, "Cluster
# mode"). Against the provider simulator on loopback, both running side by side:
#   single   one node alone (formation = self, the H2 journal: the default);
#   cluster  node-1 of a 3-node cluster (formation = bootstrap, a scratch PostgreSQL database);
#   direct   the simulator itself, for the added latency.
# The two measured nodes share core 0 (one is idle while the other is measured); the simulator,
# the other two cluster nodes, wrk and the load driver run on core 1. Both are warmed in turns with
# wrk (a JVM on one core needs minutes of traffic before its JIT settles; the warm-up's figures are
# kept in raw/), then measured in interleaved rounds: wrk closed-loop throughput, then 200
# requests/s open loop for the latency. Last, the outage: the primary answers 503 while wrk drives
# all three cluster nodes at once, and the journal's rows are counted before and after. Bounded
# (about 15 minutes, --quick about 4); everything it starts it stops, by PID; the scratch database
# is dropped.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAR="$ROOT/router/target/detour.jar"
SIM_JAR="$ROOT/simulator/target/detour-simulator.jar"
BENCH_JAR="$ROOT/bench/target/detour-bench.jar"
QUICK=0
case "${1:-}" in
  --quick) QUICK=1 ;;
  "") ;;
  *) echo "cluster-cost: unknown option '$1' (use --quick)" >&2; exit 2 ;;
esac
if ((QUICK)); then ROUNDS=1 WARM_TURNS=2 WARM_S=15 WRK_S=5 LAT_S=5 OUTAGE_S=20; else ROUNDS=3 WARM_TURNS=16 WARM_S=15 WRK_S=10 LAT_S=10 OUTAGE_S=60; fi

PORT_BASE=${BENCH_PORT_BASE:-9500}
SIM_P=$((PORT_BASE + 1)) SIM_F=$((PORT_BASE + 2))
SINGLE_PORT=$((PORT_BASE + 80))
API=($((PORT_BASE + 81)) $((PORT_BASE + 82)) $((PORT_BASE + 83)))
MGMT=($((PORT_BASE + 91)) $((PORT_BASE + 92)) $((PORT_BASE + 93)))
ROUTER_JVM="-Xms512m -Xmx512m -XX:+UseParallelGC -Dh2.bindAddress=127.0.0.1"
PEER_NODE_JVM="-Xms256m -Xmx256m -XX:+UseParallelGC"
DRIVER_JVM="-Xms256m -Xmx512m -XX:+UseParallelGC -XX:TieredStopAtLevel=1"
PG_USER=${DETOUR_PG_USER:-postgres}
DB="detour_cluster_bench_$$"

log() { echo "cluster-cost: $*" >&2; }
# shellcheck source=scripts/bench/common.sh
. "$ROOT/scripts/bench/common.sh"
for t in taskset curl python3 java psql wrk unzip; do command -v $t >/dev/null || { log "$t is needed"; exit 1; }; done
ensure_jar "$ROOT" "$JAR"

SHA="$(git -C "$ROOT" rev-parse --short HEAD)"
OUT="$ROOT/bench/results/cluster-$(date -u +%Y%m%d-%H%M%S)-$SHA"
RAW="$OUT/raw" WORK="$OUT/work"
mkdir -p "$RAW" "$WORK"
BODY="$WORK/body.json"
echo '{"model":"bench","max_tokens":256,"messages":[{"role":"user","content":"Say hello."}]}' >"$BODY"

PG_SERVER=127.0.0.1:5432
# shellcheck source=scripts/scratch-journal.sh
. "$ROOT/scripts/scratch-journal.sh"
trap 'cleanup; scratch_journal_drop "$DB"' EXIT
scratch_journal_create "$DB"

taskset -c 1 java -Xms256m -Xmx512m -XX:+UseParallelGC -cp "$SIM_JAR" detour.simulator.SimulatorMain \
  --instance primary=$SIM_P --instance fallback=$SIM_F >"$WORK/simulator.log" 2>&1 &
PIDS+=($!)
wait_port $SIM_P; wait_port $SIM_F
sim() { curl -sf -X PUT "http://127.0.0.1:$1/_simulator/behaviour" -H 'Content-Type: application/json' -d "$2" >/dev/null; }
healthy() { sim $SIM_P '{"mode":"ok","answer_bytes":1400}'; sim $SIM_F '{"mode":"ok","answer_bytes":1400}'; }

endpoints=""
for port in "${MGMT[@]}"; do endpoints+="${endpoints:+, }{host = \"127.0.0.1\", port = $port}"; done
bench_router_conf '${DETOUR_PORT}' 1024 $SIM_P $SIM_F "$WORK/journal" >"$WORK/node.conf"  # bench.sh's node
cat >"$WORK/cluster.conf" <<CONF
include file("$WORK/node.conf")
detour {
  cluster.formation = bootstrap
  journal { kind = postgres, postgres { url = "jdbc:postgresql://127.0.0.1:5432/$DB", user = "$PG_USER" } }
}
akka.discovery.config.services.detour.endpoints = [$endpoints]
akka.management.cluster.bootstrap.contact-point-discovery { required-contact-point-nr = 3, stable-margin = 1s, interval = 500ms }
CONF

WAITER=cluster-cost
# shellcheck source=scripts/wait-for-log.sh
. "$ROOT/scripts/wait-for-log.sh"
MEASURED_PID="" CLUSTER_PIDS=()
start_single() {
  (cd "$WORK" && DETOUR_PORT=$SINGLE_PORT exec taskset -c 0 java $ROUTER_JVM -Dconfig.file="$WORK/node.conf" -jar "$JAR") \
    >>"$WORK/single.log" 2>&1 &
  MEASURED_PID=$!; PIDS+=("$MEASURED_PID")
  wait_port $SINGLE_PORT
}
start_cluster() { # node-1 on core 0, measured; node-2 and node-3 on core 1
  local i core jvm
  CLUSTER_PIDS=()
  for i in 0 1 2; do
    if ((i == 0)); then core=0 jvm=$ROUTER_JVM; else core=1 jvm=$PEER_NODE_JVM; fi
    : >"$WORK/node-$((i + 1)).log"
    (cd "$WORK" && DETOUR_PORT=${API[$i]} DETOUR_MANAGEMENT_PORT=${MGMT[$i]} DETOUR_NODE_NAME="node-$((i + 1))" \
      exec taskset -c $core java $jvm -Dconfig.file="$WORK/cluster.conf" -jar "$JAR") >>"$WORK/node-$((i + 1)).log" 2>&1 &
    CLUSTER_PIDS+=($!); PIDS+=($!)
  done
  for i in 1 2 3; do wait_for_log "$WORK/node-$i.log" "HTTP bound" 120; done
  MEASURED_PID=${CLUSTER_PIDS[0]}
}
stop_cluster() { local p; for p in "${CLUSTER_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; for p in "${CLUSTER_PIDS[@]}"; do stop "$p"; done; }

wrk_run() { # wrk_run PORT NAME SECONDS: closed loop, 32 connections, on core 1
  taskset -c 1 wrk -t1 -c32 -d"${3}s" --timeout 10s -s "$ROOT/scripts/bench/post.lua" \
    "http://127.0.0.1:$1/v1/chat/completions" -- "$BODY" 2>&1 | grep '^WRK_JSON ' | sed 's/^WRK_JSON //' >"$RAW/$2.json" || true
}
latency_run() { # latency_run PORT NAME: 200 requests/s open loop, on core 1
  taskset -c 1 java $DRIVER_JVM -cp "$BENCH_JAR" detour.bench.LoadDriver --url "http://127.0.0.1:$1/v1/chat/completions" \
    --label "$2" --body "$BODY" --phase 200:$LAT_S --warmup 1 --connections 256 --out "$RAW/$2.json" || log "driver failed: $2"
}
measure() { # measure PORT NAME
  wrk_run "$1" "$2-wrk" $WRK_S
  latency_run "$1" "$2-lat"
  echo "{\"rss_kb\": $(rss_kb "$3")}" >"$RAW/$2-rss.json"
}

LOAD_BEFORE="$(cat /proc/loadavg)"
STARTED=$(date +%s)
log "results: $OUT (load: $LOAD_BEFORE)"
healthy
start_single; SINGLE_PID=$MEASURED_PID
start_cluster; CLUSTER_PID=$MEASURED_PID
log "warm-up: $WARM_TURNS turns of ${WARM_S} s of wrk on each node in turn"
for ((w = 1; w <= WARM_TURNS; w++)); do
  wrk_run $SINGLE_PORT "warmup-$w-single" $WARM_S
  wrk_run "${API[0]}" "warmup-$w-cluster" $WARM_S
  log "warm-up $w: $(python3 -c "import json,sys; print(' / '.join(str(json.load(open(f))['rps']) for f in sys.argv[1:]) + ' rps (single / cluster)')" \
    "$RAW/warmup-$w-single.json" "$RAW/warmup-$w-cluster.json" 2>/dev/null || echo '?')"
done
latency_run $SIM_P "direct-warmup"
for ((r = 1; r <= ROUNDS; r++)); do
  log "round $r: direct, single node, node-1 of 3"
  latency_run $SIM_P "r$r-direct-lat"
  measure $SINGLE_PORT "r$r-single" "$SINGLE_PID"
  measure "${API[0]}" "r$r-cluster" "$CLUSTER_PID"
done
stop "$SINGLE_PID"

log "outage: the primary answers 503 while wrk drives all three nodes for ${OUTAGE_S} s"
rows() { scratch_psql -d "$DB" -At -c "SELECT split_part(persistence_id, '|', 1), count(*) FROM event_journal GROUP BY 1 ORDER BY 1"; }
rows >"$RAW/outage-rows-before.txt"
sim $SIM_P '{"mode":"error","status":503}'
OUTAGE_START=$(date +%s.%N)
WRK_PIDS=()
for i in 0 1 2; do wrk_run "${API[$i]}" "outage-node-$((i + 1))" $OUTAGE_S & WRK_PIDS+=($!); done
wait "${WRK_PIDS[@]}" || true
OUTAGE_END=$(date +%s.%N)
sleep 2  # the last breaker events are written
rows >"$RAW/outage-rows-after.txt"
healthy
stop_cluster
LOAD_AFTER="$(cat /proc/loadavg)"

python3 - "$OUT" "$ROUNDS" "$OUTAGE_START" "$OUTAGE_END" "$LOAD_BEFORE" "$LOAD_AFTER" "$SHA" <<'PY'
import json, os, statistics, sys
out, rounds, t0, t1, load_before, load_after, sha = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5], sys.argv[6], sys.argv[7]
raw = os.path.join(out, "raw")
def j(name):
    with open(os.path.join(raw, name + ".json")) as f: return json.load(f)
def med(xs): return statistics.median(xs) if xs else float("nan")
rows = []
for mode in ("single", "cluster"):
    rps = [j(f"r{r}-{mode}-wrk")["rps"] for r in range(1, rounds + 1)]
    p50 = [j(f"r{r}-{mode}-lat")["latency_ms"]["p50"] - j(f"r{r}-direct-lat")["latency_ms"]["p50"] for r in range(1, rounds + 1)]
    p99 = [j(f"r{r}-{mode}-lat")["latency_ms"]["p99"] - j(f"r{r}-direct-lat")["latency_ms"]["p99"] for r in range(1, rounds + 1)]
    rss = [j(f"r{r}-{mode}-rss")["rss_kb"] / 1024 for r in range(1, rounds + 1)]
    rows.append((mode, med(rps), min(rps), max(rps), med(p50), med(p99), med(rss)))
def counts(name):
    c = {}
    for line in open(os.path.join(raw, name)):
        if "|" in line:
            k, v = line.strip().split("|"); c[k] = int(v)
    return c
before, after = counts("outage-rows-before.txt"), counts("outage-rows-after.txt")
secs = t1 - t0
written = {k: after.get(k, 0) - before.get(k, 0) for k in sorted(set(before) | set(after))}
served = [j(f"outage-node-{i}") for i in (1, 2, 3)]
total_req = sum(s["requests"] for s in served)
errors = sum(s["errors"] for s in served)
turns = sorted(int(n.split("-")[1]) for n in os.listdir(raw) if n.startswith("warmup-") and n.endswith("-single.json"))
warm = " ".join(f"{j(f'warmup-{t}-single')['rps']:.0f}/{j(f'warmup-{t}-cluster')['rps']:.0f}" for t in turns)
lines = [
    f"# Cluster mode: healthy-path cost and journal writes (commit {sha})", "",
    f"Rounds: {rounds} (median; spread min-max). Load average before: {load_before}; after: {load_after}.",
    f"Warm-up, wrk rps per turn (single/cluster): {warm}.", "",
    "| node | wrk rps (32 conns) | spread | added p50 at 200/s (ms) | added p99 (ms) | RSS after (MB) |",
    "|---|---|---|---|---|---|",
]
for mode, rps, lo, hi, a50, a99, rss in rows:
    label = "single node (formation = self, H2)" if mode == "single" else "node-1 of a 3-node cluster (PostgreSQL)"
    lines.append(f"| {label} | {rps:,.0f} | {lo:,.0f}-{hi:,.0f} | {a50:.2f} | {a99:.2f} | {rss:.0f} |")
s, c = rows[0], rows[1]
lines += ["", f"Cluster/single throughput: {c[1] / s[1]:.2f}x; added p50 difference: {c[4] - s[4]:+.2f} ms.", "",
          f"## Outage at the highest load: the primary answers 503, wrk (32 connections) on each of the 3 nodes for {secs:.0f} s", "",
          f"Requests answered: {total_req:,} ({total_req / secs:,.0f}/s across the cluster), non-2xx or socket errors: {errors}.", "",
          "| journal stream | rows written | per second |", "|---|---|---|"]
for k, v in written.items():
    lines.append(f"| {k} | {v} | {v / secs:.3f} |")
lines.append(f"| all | {sum(written.values())} | {sum(written.values()) / secs:.3f} |")
with open(os.path.join(out, "summary.md"), "w") as f: f.write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
log "done in $(($(date +%s) - STARTED)) s: $OUT/summary.md"
