#!/usr/bin/env bash
# The demo behind `scripts/detour demo`: two simulated providers, one Detour in front of them, a
# steady trickle of requests, and an outage of the primary staged on a fixed schedule. It prints
# each request's route decision and each breaker move as they happen, then stops all it started.
set -euo pipefail

JAR="$1"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SIM_JAR="$ROOT/simulator/target/detour-simulator.jar"
PRIMARY_PORT=${DEMO_PRIMARY_PORT:-19101}
FALLBACK_PORT=${DEMO_FALLBACK_PORT:-19102}
ROUTER_PORT=${DEMO_ROUTER_PORT:-18080}
WORK="$(mktemp -d -t detour-demo.XXXXXX)"
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

for port in "$PRIMARY_PORT" "$FALLBACK_PORT" "$ROUTER_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "demo: port $port is already in use; set DEMO_PRIMARY_PORT, DEMO_FALLBACK_PORT or DEMO_ROUTER_PORT" >&2
    exit 1
  fi
done

WAITER=demo
# shellcheck source=scripts/wait-for-log.sh
. "$ROOT/scripts/wait-for-log.sh"

say() { printf '%s  %s\n' "$(date +%H:%M:%S.%3N)" "$*"; }
banner() { printf '\n%s  *** %s\n' "$(date +%H:%M:%S.%3N)" "$*"; }

java -Dh2.bindAddress=127.0.0.1 -cp "$SIM_JAR" detour.simulator.SimulatorMain \
  --instance "primary=$PRIMARY_PORT" --instance "fallback=$FALLBACK_PORT" >"$WORK/simulator.log" 2>&1 &
PIDS+=($!)
DETOUR_PORT=$ROUTER_PORT \
DETOUR_SIM_PRIMARY_URL="http://127.0.0.1:$PRIMARY_PORT/v1" \
DETOUR_SIM_FALLBACK_URL="http://127.0.0.1:$FALLBACK_PORT/v1" \
DETOUR_H2_FILE="$WORK/journal" \
  java -Xms128m -Xmx512m -Dh2.bindAddress=127.0.0.1 -Dconfig.file="$ROOT/scripts/conf/simulated.conf" -jar "$JAR" \
  >"$WORK/router.log" 2>&1 &
PIDS+=($!)

say "starting two simulated providers (primary, fallback) and Detour in front of them..."
wait_for_log "$WORK/simulator.log" "fallback listening" 30
wait_for_log "$WORK/router.log" "HTTP bound" 60
say "Detour is up on http://127.0.0.1:$ROUTER_PORT; route 'default' = primary (sim-large) -> fallback (sim-small)"

# Every breaker move, as the router logs it, shown the moment it happens.
# tail feeds the filter through a process substitution, so $! is tail's own pid: ending tail ends
# the filter too, and nothing is left behind.
tail -n 0 -F "$WORK/router.log" 2>/dev/null > >(grep --line-buffered -E 'breaker=' \
  | sed -u -E 's/^[^ ]+ +[A-Z]+ +[A-Za-z]+ /                  [breaker] /') &
PIDS+=($!)

control() { curl -s -o /dev/null -X "$1" -H 'Content-Type: application/json' --data "$3" "http://127.0.0.1:$2/_simulator/$4"; }

n=0
failed=0
request() {
  n=$((n + 1))
  local headers status provider attempts
  headers="$(curl -s -o "$WORK/body.json" -D - -H 'Content-Type: application/json' \
    --data '{"model":"default","messages":[{"role":"user","content":"Say hello."}]}' \
    "http://127.0.0.1:$ROUTER_PORT/v1/chat/completions" | tr -d '\r')"
  status="$(printf '%s\n' "$headers" | head -1 | cut -d' ' -f2)"
  provider="$(printf '%s\n' "$headers" | sed -n 's/^x-detour-provider: //Ip')"
  attempts="$(printf '%s\n' "$headers" | sed -n 's/^x-detour-attempts: //Ip')"
  local path
  path="$(grep -o '"attempts":\[.*\]' "$WORK/body.json" | grep -o '"provider":"[a-z]*","model":"[a-z-]*","result":"[a-z]*"' \
    | sed -E 's/"provider":"([a-z]*)","model":"[a-z-]*","result":"([a-z]*)"/\1:\2/' | paste -sd' ' - || true)"
  grep -q '"probe":true' "$WORK/body.json" && path="$path (the half-open circuit's probe)"
  [[ "$status" == "200" ]] || failed=$((failed + 1))
  say "request $(printf '%3d' $n) -> HTTP $status, answered by ${provider:-nobody} (tried $attempts) [$path]"
}

trickle() {  # $1 = seconds
  local until=$((SECONDS + $1))
  while ((SECONDS < until)); do request; sleep 0.25; done
}

banner "healthy: every request is answered by the primary"
trickle 3
banner "outage: the primary now answers every request with 503"
control PUT "$PRIMARY_PORT" '{"mode":"error","status":503}' behaviour
trickle 10
banner "the primary recovers: after its cooldown, three probes in a row, then 10 % and 50 % of the traffic, then all"
control PUT "$PRIMARY_PORT" '{"mode":"ok"}' behaviour
trickle 16

primary_stats="$(curl -s "http://127.0.0.1:$PRIMARY_PORT/_simulator/stats")"
fallback_stats="$(curl -s "http://127.0.0.1:$FALLBACK_PORT/_simulator/stats")"
banner "done: $n requests, $((n - failed)) answered with HTTP 200, $failed not"
say "primary  saw: $primary_stats"
say "fallback saw: $fallback_stats"
say "router log: $WORK/router.log"

banner "the audit of this incident, replayed from the journal while Detour still runs (scripts/detour audit):"
DETOUR_H2_FILE="$WORK/journal" java -Xmx256m -Dh2.bindAddress=127.0.0.1 \
  -Dconfig.file="$ROOT/scripts/conf/simulated.conf" -cp "$JAR" detour.persistence.audit.AuditMain 2>&1 \
  | grep -v -E '^[0-9T:.-]+Z? +(INFO|DEBUG)' || true
DETOUR_H2_FILE="$WORK/journal" java -Xmx256m -Dh2.bindAddress=127.0.0.1 \
  -Dconfig.file="$ROOT/scripts/conf/simulated.conf" -cp "$JAR" detour.persistence.audit.AuditMain \
  --format html --out "$WORK/incident.html" 2>&1 | grep -v -E '^[0-9T:.-]+Z? +(INFO|DEBUG)' || true
say "the same incident as one page (circuit bands, failover volume, the table): $WORK/incident.html"

banner "what if it had opened after 2 faults in a row, with a 2 s cooldown? (scripts/detour audit --what-if)"
printf 'detour.breaker { consecutive-faults = 2, cooldown = 2s }\n' > "$WORK/brisk.conf"
DETOUR_H2_FILE="$WORK/journal" java -Xmx256m -Dh2.bindAddress=127.0.0.1 \
  -Dconfig.file="$ROOT/scripts/conf/simulated.conf" -cp "$JAR" detour.router.whatif.WhatIfMain \
  --what-if "$WORK/brisk.conf" 2>&1 | grep -v -E '^[0-9T:.-]+Z? +(INFO|DEBUG)' || true
