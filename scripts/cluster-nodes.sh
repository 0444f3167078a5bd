# Sourced by scripts/cluster.sh and scripts/cluster-demo.sh: a local cluster's processes on loopback,
# N Detour nodes (Cluster Bootstrap from the static list of their management endpoints) in front of
# two simulated providers, sharing one PostgreSQL journal.
#
# The caller sets JAR, ROOT, WORK (a folder for the config and the logs), NODES, HTTP_BASE and
# MANAGEMENT_BASE (node i serves on BASE + i - 1), PRIMARY_PORT, FALLBACK_PORT, WAITER (its name in
# messages), and an array PIDS, to which every process started here is added; it stops them. Node i's
# pid is NODE_PIDS[i], its log $WORK/node-i.log.
NODE_PIDS=()

# Refuses to start when any port the cluster needs is taken; $1 names the variables that move them.
cluster_ports_free() {
  local ports=("$PRIMARY_PORT" "$FALLBACK_PORT") port i
  for ((i = 0; i < NODES; i++)); do ports+=($((HTTP_BASE + i)) $((MANAGEMENT_BASE + i))); done
  for port in "${ports[@]}"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$WAITER: port $port is already in use; set $1" >&2
      exit 1
    fi
  done
}

# Writes $WORK/cluster.conf: scripts/conf/cluster.conf, the nodes' contact points, and $1 (HOCON).
cluster_write_conf() {
  local endpoints="" i
  for ((i = 0; i < NODES; i++)); do
    endpoints+="${endpoints:+, }{host = \"127.0.0.1\", port = $((MANAGEMENT_BASE + i))}"
  done
  cat >"$WORK/cluster.conf" <<CONF
include file("$ROOT/scripts/conf/cluster.conf")
akka.discovery.config.services.detour.endpoints = [$endpoints]
akka.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr = $NODES
${1:-}
CONF
}

cluster_start_simulator() {
  local SIM_JAR="$ROOT/simulator/target/detour-simulator.jar"
  java -Dh2.bindAddress=127.0.0.1 -cp "$SIM_JAR" detour.simulator.SimulatorMain \
    --instance "primary=$PRIMARY_PORT" --instance "fallback=$FALLBACK_PORT" >"$WORK/simulator.log" 2>&1 &
  PIDS+=($!)
}

# Starts node $1 (1 to NODES) with $WORK/cluster.conf.
cluster_start_node() {
  local i=$1
  # shellcheck disable=SC2086 # JAVA_OPTS holds several flags
  DETOUR_NODE_NAME="node-$i" \
  DETOUR_PORT=$((HTTP_BASE + i - 1)) \
  DETOUR_MANAGEMENT_PORT=$((MANAGEMENT_BASE + i - 1)) \
  DETOUR_SIM_PRIMARY_URL="http://127.0.0.1:$PRIMARY_PORT/v1" \
  DETOUR_SIM_FALLBACK_URL="http://127.0.0.1:$FALLBACK_PORT/v1" \
    java ${JAVA_OPTS:--Xms128m -Xmx512m -Dh2.bindAddress=127.0.0.1} -Dconfig.file="$WORK/cluster.conf" -jar "$JAR" \
    >"$WORK/node-$i.log" 2>&1 &
  PIDS+=($!)
  NODE_PIDS[$i]=$!
}

# Waits until the simulator listens and every node serves (a node serves once it is a member).
cluster_wait_serving() {
  local i
  wait_for_log "$WORK/simulator.log" "fallback listening" 30
  for ((i = 1; i <= NODES; i++)); do
    wait_for_log "$WORK/node-$i.log" "HTTP bound" 120
  done
}
