#!/usr/bin/env bash
# `scripts/detour cluster N`: N Detour nodes on loopback forming one cluster (Cluster Bootstrap from
# a static list of their management endpoints) in front of two simulated providers, sharing the
# local PostgreSQL journal. Runs until Ctrl-C, then stops every process it started, by pid.
set -euo pipefail

JAR="$1"
NODES="${2:-3}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HTTP_BASE=${CLUSTER_HTTP_BASE:-8080}          # node i serves the API on HTTP_BASE + i - 1
MANAGEMENT_BASE=${CLUSTER_MANAGEMENT_BASE:-8558}  # and akka.management on MANAGEMENT_BASE + i - 1
PRIMARY_PORT=${CLUSTER_PRIMARY_PORT:-9101}
FALLBACK_PORT=${CLUSTER_FALLBACK_PORT:-9102}
WORK="$(mktemp -d -t detour-cluster.XXXXXX)"
PIDS=()

if ! [[ "$NODES" =~ ^[1-9][0-9]?$ ]]; then
  echo "cluster: N must be a number of nodes from 1 to 99, got '$NODES'" >&2
  exit 2
fi

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ports=("$PRIMARY_PORT" "$FALLBACK_PORT")
for ((i = 0; i < NODES; i++)); do ports+=($((HTTP_BASE + i)) $((MANAGEMENT_BASE + i))); done
for port in "${ports[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "cluster: port $port is already in use; set CLUSTER_HTTP_BASE, CLUSTER_MANAGEMENT_BASE," \
      "CLUSTER_PRIMARY_PORT or CLUSTER_FALLBACK_PORT" >&2
    exit 1
  fi
done

endpoints=""
for ((i = 0; i < NODES; i++)); do
  endpoints+="${endpoints:+, }{host = \"127.0.0.1\", port = $((MANAGEMENT_BASE + i))}"
done
cat >"$WORK/cluster.conf" <<CONF
include file("$ROOT/scripts/conf/cluster.conf")
akka.discovery.config.services.detour.endpoints = [$endpoints]
akka.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr = $NODES
CONF

WAITER=cluster
# shellcheck source=scripts/wait-for-log.sh
. "$ROOT/scripts/wait-for-log.sh"

java -Dh2.bindAddress=127.0.0.1 -cp "$JAR" detour.providers.simulator.SimulatorMain \
  --instance "primary=$PRIMARY_PORT" --instance "fallback=$FALLBACK_PORT" >"$WORK/simulator.log" 2>&1 &
PIDS+=($!)
for ((i = 1; i <= NODES; i++)); do
  DETOUR_NODE_NAME="node-$i" \
  DETOUR_PORT=$((HTTP_BASE + i - 1)) \
  DETOUR_MANAGEMENT_PORT=$((MANAGEMENT_BASE + i - 1)) \
  DETOUR_SIM_PRIMARY_URL="http://127.0.0.1:$PRIMARY_PORT/v1" \
  DETOUR_SIM_FALLBACK_URL="http://127.0.0.1:$FALLBACK_PORT/v1" \
    java ${JAVA_OPTS:--Xms128m -Xmx512m -Dh2.bindAddress=127.0.0.1} -Dconfig.file="$WORK/cluster.conf" -jar "$JAR" \
    >"$WORK/node-$i.log" 2>&1 &
  PIDS+=($!)
done

echo "cluster: starting $NODES nodes against $(grep -m1 -o 'jdbc:postgresql[^"]*' "$ROOT/scripts/conf/cluster.conf")" \
  "(DETOUR_PG_URL, DETOUR_PG_USER override); logs in $WORK" >&2
wait_for_log "$WORK/simulator.log" "fallback listening" 30
for ((i = 1; i <= NODES; i++)); do
  wait_for_log "$WORK/node-$i.log" "HTTP bound" 120
  echo "cluster: node-$i  API http://127.0.0.1:$((HTTP_BASE + i - 1))  management" \
    "http://127.0.0.1:$((MANAGEMENT_BASE + i - 1)) (/ready, /alive, /cluster/members)  pid ${PIDS[$i]}" >&2
done
echo "cluster: simulated providers on 127.0.0.1:$PRIMARY_PORT (primary) and :$FALLBACK_PORT (fallback); Ctrl-C stops all" >&2
wait "${PIDS[@]}"
