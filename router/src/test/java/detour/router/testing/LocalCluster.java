package detour.router.testing;

import detour.simulator.testing.SimulatorExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A cluster of Detour processes (the packaged jar) on loopback, formed by Cluster Bootstrap from
 * the static list of their management endpoints, in front of the simulator's "primary" and
 * "fallback", sharing a scratch PostgreSQL journal. Node {@code i} keeps its name and management
 * port whenever it starts again. Bounded: {@link #close} stops every node and drops the database.
 */
public final class LocalCluster implements AutoCloseable {
  public static final String ADMIN_TOKEN = "local-cluster-admin-token-0123";

  private final SimulatorExtension upstreams;
  private final ScratchDatabase journal;
  private final List<Integer> management = new ArrayList<>();
  private final List<DetourProcess> nodes = new ArrayList<>();
  private final Path config;

  private LocalCluster(SimulatorExtension upstreams, ScratchDatabase journal, int size, Path work) throws Exception {
    this.upstreams = upstreams;
    this.journal = journal;
    this.config = work.resolve("cluster.conf");
    for (int i = 0; i < size; i++) management.add(DetourProcess.freePort());
  }

  /** A scratch journal with its tables (the test is skipped without PostgreSQL), and the nodes' ports. */
  public static LocalCluster prepare(Path work, SimulatorExtension upstreams, int size) throws Exception {
    ScratchDatabase journal = ScratchDatabase.createOrSkip();
    journal.createJournalTables();
    return new LocalCluster(upstreams, journal, size, work);
  }

  /**
   * Starts every node at once with the simulated set-up and {@code settings} (HOCON, read last, so
   * it overrides). A node that dies is downed after 3 s ({@code split-brain-resolver.stable-after}),
   * and its breakers start again on a survivor.
   */
  public List<DetourProcess> start(String settings) throws Exception {
    StringBuilder endpoints = new StringBuilder();
    for (int port : management) {
      endpoints.append(endpoints.length() == 0 ? "" : ", ").append("{host = \"127.0.0.1\", port = ").append(port).append('}');
    }
    Files.writeString(config, "include file(\""
        + Path.of("..", "scripts", "conf", "simulated.conf").toAbsolutePath().normalize() + "\")\n"
        + journal.journalConfig() + "\n"
        + "detour.cluster.formation = bootstrap\n"
        + "akka.discovery.config.services.detour.endpoints = [" + endpoints + "]\n"
        + "akka.management.cluster.bootstrap.contact-point-discovery {\n"
        + "  required-contact-point-nr = " + management.size() + ", stable-margin = 1s, interval = 500ms }\n"
        + "akka.cluster.split-brain-resolver.stable-after = 3s\n"
        + settings + "\n");
    List<CompletableFuture<DetourProcess>> starting = new ArrayList<>();
    for (int i = 0; i < management.size(); i++) {
      int node = i;
      starting.add(CompletableFuture.supplyAsync(() -> {
        try {
          return startNode(node);
        } catch (Exception failed) {
          throw new IllegalStateException(failed);
        }
      }));
    }
    for (var node : starting) nodes.add(node.get(120, TimeUnit.SECONDS));
    return nodes;
  }

  /** Starts node {@code i} (from 0) once more, as {@code node-<i+1>} on its own management port. */
  public DetourProcess startNode(int i) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("DETOUR_SIM_PRIMARY_URL", upstreams.instance("primary").baseUrl());
    env.put("DETOUR_SIM_FALLBACK_URL", upstreams.instance("fallback").baseUrl());
    env.put("DETOUR_NODE_NAME", "node-" + (i + 1));
    env.put("DETOUR_ADMIN_TOKEN", ADMIN_TOKEN);
    env.put("DETOUR_MANAGEMENT_PORT", Integer.toString(management.get(i)));
    return DetourProcess.start(config, env);
  }

  /** The nodes running, in order; a test that stops or restarts one updates this list. */
  public List<DetourProcess> nodes() {
    return nodes;
  }

  public int managementPort(int i) {
    return management.get(i);
  }

  public ScratchDatabase journal() {
    return journal;
  }

  /** Stops every node, keeping each one's output in target/ (cluster-node-1.log, ...) for whoever reads a failure. */
  @Override
  public void close() throws InterruptedException {
    for (int i = 0; i < nodes.size(); i++) {
      try {
        Files.write(Path.of("target", "cluster-node-" + (i + 1) + ".log"), nodes.get(i).output());
      } catch (java.io.IOException unwritable) {
        // the output is a courtesy; stopping the nodes is not
      }
      nodes.get(i).close();
    }
    journal.close();
  }
}
