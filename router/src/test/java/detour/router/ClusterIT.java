package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import detour.providers.simulator.Behaviour;
import detour.providers.testing.SimulatorExtension;
import detour.router.testing.DetourProcess;
import detour.router.testing.ScratchDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three Detour processes (the packaged jar) forming one cluster with Cluster Bootstrap on loopback,
 * sharing a PostgreSQL journal: one breaker per scope in the whole cluster, its state in every
 * node's view. Bounded: every wait has a deadline, and the nodes are stopped (or killed) by the test.
 */
class ClusterIT {
  @RegisterExtension static final SimulatorExtension upstreams = new SimulatorExtension("primary", "fallback");
  static final ObjectMapper JSON = new ObjectMapper();
  static final String BREAKER = "primary/sim-large";
  static final String TRIPPED = "detour.persistence.breaker.BreakerEvent$Tripped";
  static final int NODES = 3;
  static final String ADMIN_TOKEN = "cluster-it-admin-token-0123";

  ScratchDatabase journal;
  final List<DetourProcess> nodes = new ArrayList<>();

  @BeforeEach
  void startCluster(@TempDir Path work) throws Exception {
    journal = ScratchDatabase.createOrSkip();
    journal.createJournalTables();
    List<Integer> management = new ArrayList<>();
    for (int i = 0; i < NODES; i++) management.add(DetourProcess.freePort());
    StringBuilder endpoints = new StringBuilder();
    for (int port : management) {
      endpoints.append(endpoints.length() == 0 ? "" : ", ").append("{host = \"127.0.0.1\", port = ").append(port).append('}');
    }
    Path config = work.resolve("cluster.conf");
    Files.writeString(config, "include file(\""
        + Path.of("..", "scripts", "conf", "simulated.conf").toAbsolutePath().normalize() + "\")\n"
        + journal.journalConfig() + "\n"
        + "detour.cluster.formation = bootstrap\n"
        // Long enough that no probe falls inside the test: after the trip, the primary gets nothing.
        + "detour.breaker { cooldown = 120s, cooldown-jitter = 0 }\n"
        + "akka.discovery.config.services.detour.endpoints = [" + endpoints + "]\n"
        + "akka.management.cluster.bootstrap.contact-point-discovery {\n"
        + "  required-contact-point-nr = " + NODES + ", stable-margin = 1s, interval = 500ms }\n"
        // A killed node is downed after this, and its breakers start again on a survivor.
        + "akka.cluster.split-brain-resolver.stable-after = 3s\n");
    List<CompletableFuture<DetourProcess>> starting = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      Map<String, String> env = new HashMap<>();
      env.put("DETOUR_SIM_PRIMARY_URL", upstreams.instance("primary").baseUrl());
      env.put("DETOUR_SIM_FALLBACK_URL", upstreams.instance("fallback").baseUrl());
      env.put("DETOUR_NODE_NAME", "node-" + (i + 1));
      env.put("DETOUR_ADMIN_TOKEN", ADMIN_TOKEN);
      env.put("DETOUR_MANAGEMENT_PORT", Integer.toString(management.get(i)));
      starting.add(CompletableFuture.supplyAsync(() -> {
        try {
          return DetourProcess.start(config, env);
        } catch (Exception failed) {
          throw new IllegalStateException(failed);
        }
      }));
    }
    for (var node : starting) nodes.add(node.get(120, TimeUnit.SECONDS));
  }

  @AfterEach
  void stopCluster() throws Exception {
    for (var node : nodes) node.close();
    if (journal != null) journal.close();
  }

  @Test
  void oneBreakerForTheWholeClusterOpensOnceAndEveryNodeStopsCallingThePrimaryWithinASecond() throws Exception {
    var primary = upstreams.instance("primary");
    for (var node : nodes) {
      var reply = node.chat("default");
      assertEquals(200, reply.statusCode());
      assertEquals("primary", reply.headers().firstValue("x-detour-provider").orElse(""));
    }

    primary.behave(Behaviour.error(503));
    try (var load = new Load(nodes)) {
      long[] seenOpen = awaitOpenOnEveryNode(Duration.ofSeconds(20));
      long first = java.util.Arrays.stream(seenOpen).min().orElseThrow();
      long last = java.util.Arrays.stream(seenOpen).max().orElseThrow();
      System.out.printf("ClusterIT: the trip reached every node's view %d ms after the first (polled every 5 ms)%n",
          TimeUnit.NANOSECONDS.toMillis(last - first));
      assertTrue(last - first < TimeUnit.SECONDS.toNanos(1),
          "every node's view shows the trip within a second: " + TimeUnit.NANOSECONDS.toMillis(last - first) + " ms");

      // One second after the circuit opened, no node sends the primary anything more.
      waitUntil(first + TimeUnit.SECONDS.toNanos(1));
      long callsOneSecondAfter = primary.requests();
      int answeredBefore = load.answered();
      waitUntil(System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
      assertTrue(load.answered() > answeredBefore + 10, "traffic went on: " + load.answered());
      assertEquals(callsOneSecondAfter, primary.requests(), "the open primary got nothing from any node");
      assertEquals(0, load.failed(), "callers saw no failure: every request failed over to the fallback");
    }

    assertEquals(List.of(TRIPPED), journal.journaled("ProviderBreaker|" + BREAKER), "one incident, not three");
    assertEquals(1, journal.countManifest(TRIPPED), "no other breaker opened");
    assertEquals(1, nodes.stream().filter(n -> owns(n, BREAKER)).count(), "exactly one node owns and journals it");
  }

  @Test
  void theOwnersBreakerComesBackOnASurvivorStillOpenWithItsDeadlineWhenTheOwnerIsKilled() throws Exception {
    var primary = upstreams.instance("primary");
    primary.behave(Behaviour.error(503));
    for (int i = 0; i < 5; i++) nodes.get(i % NODES).chat("default");
    awaitOpenOnEveryNode(Duration.ofSeconds(20));
    DetourProcess owner = nodes.stream().filter(n -> owns(n, BREAKER)).findFirst().orElseThrow();
    String until = tripDeadline(owner).orElseThrow();

    owner.kill();
    nodes.remove(owner);
    long callsAtKill = primary.requests();
    try (var load = new Load(nodes)) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
      Optional<DetourProcess> heir = Optional.empty();
      while (heir.isEmpty() && System.nanoTime() < deadline) {
        heir = nodes.stream().filter(n -> recoveredOpen(n, until)).findFirst();
        if (heir.isEmpty()) Thread.sleep(100);
      }
      assertTrue(heir.isPresent(), "a survivor restarted the breaker from the journal, open until " + until
          + "; survivors said: " + nodes.stream().map(n -> lines(n, BREAKER)).toList());
      assertEquals(0, load.failed(), "the survivors' callers saw no failure");
      assertTrue(load.answered() > 0, "the survivors kept answering");
    }
    assertEquals(callsAtKill, primary.requests(), "the survivors kept the primary out while its breaker moved");
    assertEquals(List.of(TRIPPED), journal.journaled("ProviderBreaker|" + BREAKER), "still one incident");
    for (var survivor : nodes) {
      assertEquals("open", breaker(survivor).path("circuit").asText());
      assertEquals(until, breaker(survivor).path("until").asText());
    }
  }

  @Test
  void anOperatorsDrainSentToOneNodeIsInEveryNodesViewWithinASecondOfTheAnswer() throws Exception {
    for (var node : nodes) assertEquals(200, node.chat("default").statusCode());  // each node has called
    var ordered = nodes.get(NODES - 1).post("/admin/breakers/primary/drain",
        "{\"operator\": \"ana\", \"reason\": \"provider maintenance\", \"model\": \"sim-large\"}", ADMIN_TOKEN);
    long answered = System.nanoTime();
    assertEquals(200, ordered.statusCode(), ordered.body());
    // Every node's replica holds it once answered; its view follows at the replica's next
    // notification (notify-subscribers-interval, 50 ms), later on a machine this loaded.
    long deadline = answered + TimeUnit.SECONDS.toNanos(1);
    for (var node : nodes) {
      String circuit = breaker(node).path("circuit").asText();
      while (!"drained".equals(circuit) && System.nanoTime() < deadline) {
        Thread.sleep(5);
        circuit = breaker(node).path("circuit").asText();
      }
      assertEquals("drained", circuit, "every node's view shows the drain within a second of the answer");
    }
    System.out.printf("ClusterIT: every node's view showed the drain %d ms after the admin API answered%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answered));
    for (var node : nodes) {
      var reply = node.chat("default");
      assertEquals("fallback", reply.headers().firstValue("x-detour-provider").orElse(""), "no node sends it traffic");
    }
    assertEquals(List.of("detour.persistence.breaker.BreakerEvent$Drained"),
        journal.journaled("ProviderBreaker|" + BREAKER), "journaled once, by the owner");
  }

  /** When each node's /health first showed the breaker open (System.nanoTime), polled every 5 ms. */
  private long[] awaitOpenOnEveryNode(Duration patience) throws Exception {
    long[] seen = new long[nodes.size()];
    long deadline = System.nanoTime() + patience.toNanos();
    int open = 0;
    while (open < nodes.size() && System.nanoTime() < deadline) {
      for (int i = 0; i < nodes.size(); i++) {
        if (seen[i] == 0 && "open".equals(breaker(nodes.get(i)).path("circuit").asText())) {
          seen[i] = System.nanoTime();
          open++;
        }
      }
      Thread.sleep(5);
    }
    assertEquals(nodes.size(), open, "every node's view shows the breaker open");
    return seen;
  }

  private static JsonNode breaker(DetourProcess node) throws Exception {
    return JSON.readTree(node.get("/health").body()).path("breakers").path(BREAKER);
  }

  /** Only the owner runs the breaker, so only its log has the breaker's moves. */
  private static boolean owns(DetourProcess node, String scope) {
    return node.output().stream().anyMatch(l -> l.contains("breaker=" + scope + " circuit=OPEN"));
  }

  private static final Pattern UNTIL = Pattern.compile("until=(\\S+)");

  private static Optional<String> tripDeadline(DetourProcess node) {
    return node.output().stream().filter(l -> l.contains("breaker=" + BREAKER + " circuit=OPEN"))
        .map(UNTIL::matcher).filter(Matcher::find).map(m -> m.group(1)).findFirst();
  }

  private static boolean recoveredOpen(DetourProcess node, String until) {
    return node.output().stream().anyMatch(l ->
        l.contains("breaker=" + BREAKER + " recovered circuit=OPEN until=" + until));
  }

  private static List<String> lines(DetourProcess node, String scope) {
    return node.output().stream().filter(l -> l.contains(scope)).toList();
  }

  private static void waitUntil(long nanoTime) throws InterruptedException {
    long left = nanoTime - System.nanoTime();
    if (left > 0) TimeUnit.NANOSECONDS.sleep(left);
  }

  /** One caller per node, a request every 20 ms each, until closed; counts what they saw. */
  static final class Load implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger answered = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final List<Thread> callers = new ArrayList<>();

    Load(List<DetourProcess> nodes) {
      for (var node : nodes) {
        var caller = new Thread(() -> {
          while (running.get()) {
            try {
              if (node.chat("default").statusCode() == 200) answered.incrementAndGet(); else failed.incrementAndGet();
              Thread.sleep(20);
            } catch (InterruptedException stop) {
              return;
            } catch (Exception broken) {
              failed.incrementAndGet();
            }
          }
        }, "cluster-load");
        caller.setDaemon(true);
        caller.start();
        callers.add(caller);
      }
    }

    int answered() {
      return answered.get();
    }

    int failed() {
      return failed.get();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      for (var caller : callers) caller.join(30_000);
    }
  }
}
