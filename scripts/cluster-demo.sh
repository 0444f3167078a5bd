#!/usr/bin/env bash
# The demo behind `scripts/detour cluster-demo`: three Detour nodes on loopback forming one cluster in
# front of two simulated providers, sharing a scratch PostgreSQL database as their journal. Steady
# traffic goes to every node; the primary fails; the node that owns the primary's breaker is killed
# (SIGKILL) while its circuit is open; a survivor starts the breaker again from the journal, still
# open until its original deadline; the primary heals and the circuit closes. It prints what each
# node saw and the audit of the incident, then stops every process it started, by pid, and drops
# its database. Takes about two minutes.
set -euo pipefail

JAR="$1"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE=${CLUSTER_DEMO_PORT_BASE:-28100}  # simulator on BASE+1, +2; node i's API on BASE+10+i, management BASE+20+i
NODES=3
PRIMARY_PORT=$((BASE + 1))
FALLBACK_PORT=$((BASE + 2))
HTTP_BASE=$((BASE + 11))
MANAGEMENT_BASE=$((BASE + 21))
PG_SERVER=${CLUSTER_DEMO_PG_SERVER:-127.0.0.1:5432}  # host:port; trust or PGPASSWORD authentication
PG_USER=${DETOUR_PG_USER:-postgres}
DATABASE="detour_demo_$(date +%s)_$$"
SCOPE="primary/sim-large"
WORK="$(mktemp -d -t detour-cluster-demo.XXXXXX)"
PIDS=()
TRAFFIC_PIDS=()
DATABASE_CREATED=no

WAITER=cluster-demo
# shellcheck source=scripts/wait-for-log.sh
. "$ROOT/scripts/wait-for-log.sh"
# shellcheck source=scripts/cluster-nodes.sh
. "$ROOT/scripts/cluster-nodes.sh"
# shellcheck source=scripts/scratch-journal.sh
. "$ROOT/scripts/scratch-journal.sh"

say() { printf '%s  %s\n' "$(date +%H:%M:%S.%3N)" "$*"; }
banner() { printf '\n%s  *** %s\n' "$(date +%H:%M:%S.%3N)" "$*"; }

cleanup() {
  rm -f "$WORK"/traffic-* "$WORK/watching"
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ "$DATABASE_CREATED" == yes && "${CLUSTER_DEMO_KEEP_DB:-}" != 1 ]]; then
    scratch_journal_drop "$DATABASE"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

command -v psql >/dev/null || { echo "cluster-demo: psql is needed (the scratch journal database)" >&2; exit 1; }
cluster_ports_free "CLUSTER_DEMO_PORT_BASE (ports BASE+1 to BASE+23 on loopback)"

# A database of the demo's own, its tables made before the nodes start.
DATABASE_CREATED=yes  # dropped on exit, even if only half made
scratch_journal_create "$DATABASE" \
  || { echo "cluster-demo: cannot create a database on $PG_SERVER as $PG_USER (CLUSTER_DEMO_PG_SERVER, DETOUR_PG_USER)" >&2; exit 1; }
export DETOUR_PG_URL="jdbc:postgresql://$PG_SERVER/$DATABASE" DETOUR_PG_USER="$PG_USER"

# Long enough a cooldown that the breaker is still open when a survivor takes it over; a killed node
# is downed 3 s after it became unreachable (Akka's default: 20 s), and its breakers move on.
cluster_write_conf '
detour.breaker { cooldown = 30s, cooldown-jitter = 0, ramp-stage-duration = 3s }
akka.cluster.split-brain-resolver.stable-after = 3s'
cluster_start_simulator
for ((i = 1; i <= NODES; i++)); do cluster_start_node "$i"; done
say "starting two simulated providers and $NODES Detour nodes, journal $DETOUR_PG_URL (dropped at the end);" \
  "logs in $WORK"
cluster_wait_serving
for ((i = 1; i <= NODES; i++)); do
  say "node-$i  API http://127.0.0.1:$((HTTP_BASE + i - 1))  pid ${NODE_PIDS[$i]}"
done
say "route 'default' = primary (sim-large) -> fallback (sim-small); every node one member of one cluster"

api() { echo "http://127.0.0.1:$((HTTP_BASE + $1 - 1))"; }
primary_requests() { curl -s "http://127.0.0.1:$PRIMARY_PORT/_simulator/stats" | grep -o '"requests":[0-9]*' | cut -d: -f2; }
control() { curl -s -o /dev/null -X PUT -H 'Content-Type: application/json' --data "$2" "http://127.0.0.1:$1/_simulator/behaviour"; }

# This node's view of the primary's breaker, from its /health: "open until 2025-...Z", "closed", ...
view_of() {
  local breaker circuit until
  breaker="$(curl -s --max-time 1 "$(api "$1")/health" | grep -o "\"$SCOPE\":{[^}]*}" || true)"
  circuit="$(sed -n 's/.*"circuit":"\([a-z_]*\)".*/\1/p' <<<"$breaker")"
  until="$(sed -n 's/.*"until":"\([^"]*\)".*/\1/p' <<<"$breaker")"
  echo "${circuit:-unknown}${until:+ until $until}"
}

# One caller per node, a request every 0.1 s, each answer's status appended to answers-node-i,
# until its flag file goes (or 150 s pass: the demo is bounded even if it is left behind).
traffic() {
  local i=$1 until=$((SECONDS + 150)) status
  while [[ -f "$WORK/traffic-$i" ]] && ((SECONDS < until)); do
    status="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H 'Content-Type: application/json' \
      --data '{"model":"default","messages":[{"role":"user","content":"Say hello."}]}' \
      "$(api "$i")/v1/chat/completions" || true)"
    echo "$status" >>"$WORK/answers-node-$i"
    sleep 0.1
  done
}
stop_traffic() { rm -f "$WORK/traffic-$1"; wait "${TRAFFIC_PIDS[$1]}" 2>/dev/null || true; }
answered() { grep -c '^200$' "$WORK/answers-node-$1" || true; }
not_answered() { grep -vc '^200$' "$WORK/answers-node-$1" || true; }

# Every node's /health, printed whenever its view of the breaker changes, until the flag goes.
watch_views() {
  local -A seen=()
  local i view
  while [[ -f "$WORK/watching" ]]; do
    for ((i = 1; i <= NODES; i++)); do
      [[ -f "$WORK/killed-$i" ]] && continue
      view="$(view_of "$i")"
      if [[ "$view" != "${seen[$i]:-}" ]]; then
        seen[$i]="$view"
        say "                  [node-$i /health] $SCOPE $view"
      fi
    done
    sleep 0.1
  done
}

# Waits until every node still running shows $1 (open, closed) for the breaker, or gives up.
await_view() {
  local want=$1 patience=$2 i all deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    all=yes
    for ((i = 1; i <= NODES; i++)); do
      [[ -f "$WORK/killed-$i" ]] && continue
      [[ "$(view_of "$i")" == "$want"* ]] || all=no
    done
    [[ "$all" == yes ]] && return 0
    sleep 0.1
  done
  echo "cluster-demo: not every node showed $SCOPE $want within ${patience}s" >&2
  return 1
}

touch "$WORK/watching"
watch_views &
PIDS+=($!)
for ((i = 1; i <= NODES; i++)); do
  # Each node's breaker lines as it logs them; only the node that runs the breaker logs its moves.
  # $! is tail's own pid: ending tail ends the filter too.
  tail -n 0 -F "$WORK/node-$i.log" 2>/dev/null > >(grep --line-buffered 'breaker=' \
    | sed -u -E "s/^[^ ]+ +[A-Z]+ +[A-Za-z]+ /                  [node-$i log] /") &
  PIDS+=($!)
done

banner "healthy: a caller per node, every request answered by the primary"
for ((i = 1; i <= NODES; i++)); do
  touch "$WORK/traffic-$i" "$WORK/answers-node-$i"
  traffic "$i" &
  PIDS+=($!)
  TRAFFIC_PIDS[$i]=$!
done
sleep 3

banner "outage: the primary answers every request with 503; its breaker opens on one node, every view follows"
control "$PRIMARY_PORT" '{"mode":"error","status":503}'
await_view open 30
owner=""
for ((i = 1; i <= NODES; i++)); do
  if grep -q "breaker=$SCOPE circuit=OPEN" "$WORK/node-$i.log"; then owner=$i; fi
done
[[ -n "$owner" ]] || { echo "cluster-demo: no node logged the trip of $SCOPE" >&2; exit 1; }
deadline="$(grep -m1 "breaker=$SCOPE circuit=OPEN" "$WORK/node-$owner.log" | grep -o 'until=[^ ]*' | cut -d= -f2)"
say "node-$owner owns the breaker (only the owner runs it and logs its moves); open until $deadline"
sleep 2

banner "SIGKILL node-$owner (pid ${NODE_PIDS[$owner]}), the owner, while the circuit is open"
stop_traffic "$owner"
touch "$WORK/killed-$owner"
kill -KILL "${NODE_PIDS[$owner]}"
wait "${NODE_PIDS[$owner]}" 2>/dev/null || true
killed_at=$SECONDS
survivors=()
declare -A failed_before_kill=()
for ((i = 1; i <= NODES; i++)); do
  [[ "$i" == "$owner" ]] && continue
  survivors+=("$i")
  failed_before_kill[$i]=$(not_answered "$i")
done
primary_at_kill=$(primary_requests)

heir=""
until [[ -n "$heir" ]] || ((SECONDS > killed_at + 45)); do
  for i in "${survivors[@]}"; do
    if grep -q "breaker=$SCOPE recovered circuit=OPEN until=$deadline" "$WORK/node-$i.log"; then heir=$i; fi
  done
  sleep 0.1
done
[[ -n "$heir" ]] || { echo "cluster-demo: no survivor started $SCOPE again within 45 s" >&2; exit 1; }
say "node-$heir started the breaker again from the journal $((SECONDS - killed_at)) s after the kill:"
say "  $(grep -m1 "breaker=$SCOPE recovered circuit=OPEN" "$WORK/node-$heir.log" | sed -E 's/^[^ ]+ +[A-Z]+ +[A-Za-z]+ //')"
say "  still open until $deadline, the deadline node-$owner set"

primary_at_heal=$(primary_requests)
banner "the primary recovers: at the original deadline the new owner lets probes through, then ramps up"
control "$PRIMARY_PORT" '{"mode":"ok"}'
await_view closed 70
sleep 1
for i in "${survivors[@]}"; do stop_traffic "$i"; done
rm -f "$WORK/watching"

banner "what the callers saw"
total_failed_after=0
for ((i = 1; i <= NODES; i++)); do
  if [[ "$i" == "$owner" ]]; then
    say "node-$i: $(answered "$i") answered with HTTP 200, $(not_answered "$i") not (its caller stopped before the kill)"
  else
    after=$(($(not_answered "$i") - failed_before_kill[$i]))
    total_failed_after=$((total_failed_after + after))
    say "node-$i: $(answered "$i") answered with HTTP 200, $(not_answered "$i") not; $after not after the kill"
  fi
done
say "the survivors' callers: $total_failed_after answers other than 200 from the kill to the recovery"
say "the primary got $((primary_at_heal - primary_at_kill)) requests from the kill until it was healed" \
  "(the circuit stayed open on every survivor), $(primary_requests) in all"

banner "what each node logged of the breaker"
for ((i = 1; i <= NODES; i++)); do
  role=""
  if [[ "$i" == "$owner" ]]; then role=" (the owner, killed)"; elif [[ "$i" == "$heir" ]]; then role=" (the heir)"; fi
  say "node-$i$role:"
  grep -E "breaker=$SCOPE" "$WORK/node-$i.log" | sed -E 's/^([^ ]+) +[A-Z]+ +[A-Za-z]+ /    \1 /' \
    || echo "    nothing: it never ran the breaker (what it saw of it is in its /health lines above)"
done

banner "stopping the survivors (SIGTERM: each writes its routing record's last interval), then the audit"
for i in "${survivors[@]}"; do kill "${NODE_PIDS[$i]}" 2>/dev/null || true; done
for i in "${survivors[@]}"; do wait "${NODE_PIDS[$i]}" 2>/dev/null || true; done
"$ROOT/scripts/detour" audit --config "$WORK/cluster.conf" 2>&1 | grep -v -E '^[0-9T:.-]+Z? +(INFO|DEBUG)' || true
say "node logs: $WORK"
