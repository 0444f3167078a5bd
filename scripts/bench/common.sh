# Sourced by the benchmark scripts, which define log(): wrk installed if missing (unless the script
# sets NO_WRK=1), and every process they start recorded in PIDS and stopped here, by PID, on exit;
# nothing else is touched.
if [[ "${NO_WRK:-0}" != 1 ]] && ! command -v wrk >/dev/null; then
  log "installing wrk (apt-get)"
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi

PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
forget() { local keep=() p; for p in "${PIDS[@]}"; do [[ "$p" != "$1" ]] && keep+=("$p"); done; PIDS=("${keep[@]}"); }
stop() { # stop PID: TERM, wait up to 10 s, then KILL
  local p=$1
  kill "$p" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
  forget "$p"
}
wait_port() { # wait_port PORT [SECONDS]
  local i
  for ((i = 0; i < ${2:-60} * 10; i++)); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  log "nothing listens on 127.0.0.1:$1"; return 1
}
ensure_jar() { # ensure_jar ROOT JAR: builds JAR (router/target/detour.jar) and the tools' jars when one is missing or older than the sources
  local jar stale=""
  for jar in "$2" "$1/simulator/target/detour-simulator.jar" "$1/bench/target/detour-bench.jar"; do
    if [[ ! -f "$jar" ]] || [[ -n "$(find "$1"/pom.xml "$1"/*/pom.xml "$1"/*/src/main -newer "$jar" -print -quit)" ]]; then stale=1; fi
  done
  if [[ -n "$stale" ]]; then
    log "building detour.jar, detour-simulator.jar and detour-bench.jar (mvn package, tests skipped)"
    (cd "$1" && mvn -B -q -pl bench -am package -DskipTests) >&2
  fi
}
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# The benchmark's Detour: two simulated providers on loopback, one route "bench"; what was tuned is
# said in docs/benchmarks.md. Usage: bench_router_conf PORT MAX_IN_FLIGHT SIM_PRIMARY SIM_FALLBACK H2_FILE
# (PORT may be a HOCON substitution such as '${DETOUR_PORT}').
bench_router_conf() {
  cat <<CONF
detour {
  http { host = "127.0.0.1", port = $1, max-in-flight = $2 }
  providers {
    primary { protocol = openai-compatible, base-url = "http://127.0.0.1:$3/v1", api-key-required = off,
              attempt-timeout = 30s, max-connections = 1024, max-open-requests = 2048 }
    fallback { protocol = openai-compatible, base-url = "http://127.0.0.1:$4/v1", api-key-required = off,
               attempt-timeout = 30s, max-connections = 1024, max-open-requests = 2048 }
  }
  models {
    sim-large { provider = primary, context-window = 128000 }
    sim-small { provider = fallback, context-window = 32000 }
  }
  routes { bench { chain = [sim-large, sim-small], deadline = 60s } }
  journal.h2-file = "$5"
}
CONF
}
