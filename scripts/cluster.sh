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

WAITER=cluster
# shellcheck source=scripts/wait-for-log.sh
. "$ROOT/scripts/wait-for-log.sh"
# shellcheck source=scripts/cluster-nodes.sh
. "$ROOT/scripts/cluster-nodes.sh"

cluster_ports_free "CLUSTER_HTTP_BASE, CLUSTER_MANAGEMENT_BASE, CLUSTER_PRIMARY_PORT or CLUSTER_FALLBACK_PORT"
cluster_write_conf
cluster_start_simulator
for ((i = 1; i <= NODES; i++)); do cluster_start_node "$i"; done

echo "cluster: starting $NODES nodes against $(grep -m1 -o 'jdbc:postgresql[^"]*' "$ROOT/scripts/conf/cluster.conf")" \
  "(DETOUR_PG_URL, DETOUR_PG_USER override); logs in $WORK" >&2
cluster_wait_serving
for ((i = 1; i <= NODES; i++)); do
  echo "cluster: node-$i  API http://127.0.0.1:$((HTTP_BASE + i - 1))  management" \
    "http://127.0.0.1:$((MANAGEMENT_BASE + i - 1)) (/ready, /alive, /cluster/members)  pid ${NODE_PIDS[$i]}" >&2
done
echo "cluster: simulated providers on 127.0.0.1:$PRIMARY_PORT (primary) and :$FALLBACK_PORT (fallback); Ctrl-C stops all" >&2
wait "${PIDS[@]}"
