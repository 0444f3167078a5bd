package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import detour.simulator.Behaviour;
import detour.simulator.testing.SimulatorExtension;
import detour.router.testing.ClusterLoad;
import detour.router.testing.DetourProcess;
import detour.router.testing.LocalCluster;
import detour.router.testing.ScratchDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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

  /** Long enough that no probe falls inside a test: after the trip, the primary gets nothing. */
  static final String NO_PROBE_IN_SIGHT = "detour.breaker { cooldown = 120s, cooldown-jitter = 0 }";

  LocalCluster cluster;
  ScratchDatabase journal;
  List<DetourProcess> nodes;

  @BeforeEach
  void prepare(@TempDir Path work) throws Exception {
    cluster = LocalCluster.prepare(work, upstreams, NODES);
    journal = cluster.journal();
    nodes = cluster.nodes();
  }

  void startCluster(String breaker) throws Exception {
    cluster.start(breaker);
  }

  @AfterEach
  void stopCluster() throws Exception {
    if (cluster != null) cluster.close();
  }

  @Test
  void oneBreakerForTheWholeClusterOpensOnceAndEveryNodeStopsCallingThePrimaryWithinASecond() throws Exception {
    startCluster(NO_PROBE_IN_SIGHT);
    var primary = upstreams.instance("primary");
    for (var node : nodes) {
      var reply = node.chat("default");
      assertEquals(200, reply.statusCode());
      assertEquals("primary", reply.headers().firstValue("x-detour-provider").orElse(""));
    }

    primary.behave(Behaviour.error(503));
    long callsBefore = primary.requests();
    var firstFailure = new java.util.concurrent.atomic.AtomicLong();
    var watcher = new Thread(() -> {  // when the first failing call reaches the primary, within 1 ms
      while (firstFailure.get() == 0) {
        if (primary.requests() > callsBefore) firstFailure.set(System.nanoTime());
        try {
          Thread.sleep(1);
        } catch (InterruptedException stop) {
          return;
        }
      }
    }, "first-failure");
    watcher.start();
    try (var load = new ClusterLoad(nodes)) {
      long[] seenOpen = awaitOpenOnEveryNode(Duration.ofSeconds(20));
      watcher.interrupt();
      long first = java.util.Arrays.stream(seenOpen).min().orElseThrow();
      long last = java.util.Arrays.stream(seenOpen).max().orElseThrow();
      System.out.printf("ClusterIT: the trip reached every node's view %d ms after the first; every node routed"
          + " around the primary %d ms after its first failing call (consecutive-faults = 5; views polled every 5 ms)%n",
          TimeUnit.NANOSECONDS.toMillis(last - first), TimeUnit.NANOSECONDS.toMillis(last - firstFailure.get()));
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
    assertEquals(1, nodes.stream().filter(n -> n.output().stream().anyMatch(l -> l.contains("breakers' streams every")))
        .count(), "one node of the cluster sweeps the breakers' old incidents");
  }

  @Test
  void theOwnersBreakerComesBackOnASurvivorStillOpenWithItsDeadlineWhenTheOwnerIsKilled() throws Exception {
    startCluster(NO_PROBE_IN_SIGHT);
    var primary = upstreams.instance("primary");
    primary.behave(Behaviour.error(503));
    for (int i = 0; i < 5; i++) nodes.get(i % NODES).chat("default");
    awaitOpenOnEveryNode(Duration.ofSeconds(20));
    DetourProcess owner = nodes.stream().filter(n -> owns(n, BREAKER)).findFirst().orElseThrow();
    String until = tripDeadline(owner).orElseThrow();

    owner.kill();
    long killed = System.nanoTime();
    nodes.remove(owner);
    long callsAtKill = primary.requests();
    try (var load = new ClusterLoad(nodes)) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
      Optional<DetourProcess> heir = Optional.empty();
      while (heir.isEmpty() && System.nanoTime() < deadline) {
        heir = nodes.stream().filter(n -> recoveredOpen(n, until)).findFirst();
        if (heir.isEmpty()) Thread.sleep(100);
      }
      assertTrue(heir.isPresent(), "a survivor restarted the breaker from the journal, open until " + until
          + "; survivors said: " + nodes.stream().map(n -> lines(n, BREAKER)).toList());
      System.out.printf("ClusterIT: the breaker ran again on a survivor %d ms after its owner was killed"
          + " (split-brain-resolver.stable-after = 3s; polled every 100 ms)%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
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
    startCluster(NO_PROBE_IN_SIGHT);
    for (var node : nodes) assertEquals(200, node.chat("default").statusCode());  // each node has called
    var ordered = nodes.get(NODES - 1).post("/admin/breakers/primary/drain",
        "{\"operator\": \"ana\", \"reason\": \"provider maintenance\", \"model\": \"sim-large\"}", LocalCluster.ADMIN_TOKEN);
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

  @Test
  void everyNodeTurnsUnreadyFromItsOwnViewOnceEveryCandidateIsDrainedThroughOneNode() throws Exception {
    startCluster(NO_PROBE_IN_SIGHT);
    for (var node : nodes) {
      assertEquals(200, node.get("/live").statusCode());
      assertEquals(200, node.get("/ready").statusCode());
    }
    for (var scope : List.of(List.of("primary", "sim-large"), List.of("fallback", "sim-small"))) {
      var ordered = nodes.get(NODES - 1).post("/admin/breakers/" + scope.get(0) + "/drain",
          "{\"operator\": \"ana\", \"reason\": \"maintenance\", \"model\": \"" + scope.get(1) + "\"}",
          LocalCluster.ADMIN_TOKEN);
      assertEquals(200, ordered.statusCode(), ordered.body());
    }
    // Each node judges from its replicated view, which follows within a notification or so.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    for (var node : nodes) {
      var ready = node.get("/ready");
      while (ready.statusCode() != 503 && System.nanoTime() < deadline) {
        Thread.sleep(5);
        ready = node.get("/ready");
      }
      assertEquals(503, ready.statusCode(), "every node's /ready: " + ready.body());
      assertTrue(ready.body().contains("sim-large: drained by an operator"), ready.body());
      assertEquals("unavailable", JSON.readTree(node.get("/health").body()).path("status").asText());
      assertEquals(200, node.get("/live").statusCode(), "the process still serves");
    }
  }

  @Test
  void theProbesOfTheWholeClusterStayWithinThePermitsAndEveryNodeRampsBackByTheSameShare() throws Exception {
    // A 2 s cooldown that does not grow, one probe at a time, three to close, then one ramp stage.
    startCluster("detour.breaker { cooldown = 2s, cooldown-jitter = 0, cooldown-multiplier = 1.0,"
        + " half-open-probes = 3, ramp-stages = [0.25], ramp-stage-duration = 8s }");
    var primary = upstreams.instance("primary");
    primary.behave(Behaviour.error(503));
    long probesSent;
    try (var load = new ClusterLoad(nodes)) {
      awaitOpenOnEveryNode(Duration.ofSeconds(20));
      Thread.sleep(200);  // requests sent before the views turned are in
      long callsAtTrip = primary.requests();
      // Three nodes call all the time; each cooldown ends in one half-open phase, whose probe fails.
      Thread.sleep(9_000);
      load.close();
      assertEquals(List.of(), load.failures(), "every request failed over");
      probesSent = primary.requests() - callsAtTrip;
    }
    int reopens = awaitStable(() -> count(journal.journaled("ProviderBreaker|" + BREAKER), TRIPPED)) - 1;
    assertTrue(reopens >= 2, "the circuit went through several half-open phases: " + reopens);
    assertEquals(reopens, probesSent, "one probe for the whole cluster per half-open phase, not one per node");

    primary.behave(Behaviour.ok());
    try (var load = new ClusterLoad(nodes)) {
      long[] ramping = awaitCircuitOnEveryNode("recovering", Duration.ofSeconds(20));
      long[] closed = awaitCircuitOnEveryNode("closed", Duration.ofSeconds(20));
      load.close();
      assertEquals(List.of(), load.failures(), "no request failed while the primary came back");
      for (int i = 0; i < NODES; i++) {
        // Inside the stage as this node saw it, with a margin for the request in flight at each end.
        long from = ramping[i] + TimeUnit.MILLISECONDS.toNanos(300);
        long to = closed[i] - TimeUnit.MILLISECONDS.toNanos(300);
        DetourProcess node = nodes.get(i);
        var during = load.answers().stream().filter(a -> a.node() == node && a.at() > from && a.at() < to).toList();
        long toPrimary = during.stream().filter(a -> a.provider().equals("primary")).count();
        double share = (double) toPrimary / during.size();
        System.out.printf("ClusterIT: node-%d sent the primary %d of %d requests (%.3f) during the 25 %% ramp stage%n",
            i + 1, toPrimary, during.size(), share);
        assertTrue(during.size() >= 40, "node-" + (i + 1) + " had traffic during the stage: " + during.size());
        assertTrue(share > 0.2 && share < 0.3, "node-" + (i + 1) + " gave the primary its 25 % share: " + share);
      }
    }
    assertEquals(List.of("RampAdvanced", "Recovered"), tail(journal.journaled("ProviderBreaker|" + BREAKER), 2),
        "the breaker ramped once and closed");
  }

  @Test
  void aRollingRestartOfEveryNodeFailsNoRequestAndLeavesNoJournalStreamWithAGapOrAFork() throws Exception {
    // The primary fails all along, so that its breaker journals (opens, probes, opens again) while
    // it moves from node to node; a short cooldown that does not grow keeps it writing.
    startCluster("detour.breaker { cooldown = 2s, cooldown-jitter = 0, cooldown-multiplier = 1.0 }");
    upstreams.instance("primary").behave(Behaviour.error(503));
    try (var load = new ClusterLoad(nodes)) {
      awaitOpenOnEveryNode(Duration.ofSeconds(20));
      for (int i = 0; i < NODES; i++) {
        DetourProcess old = nodes.get(i);
        load.remove(old);
        long stopping = System.nanoTime();
        assertTrue(old.stop(Duration.ofSeconds(30)), "node-" + (i + 1) + " left the cluster and stopped by itself: "
            + old.output().subList(Math.max(0, old.output().size() - 20), old.output().size()));
        long stopped = System.nanoTime();
        DetourProcess fresh = cluster.startNode(i);
        nodes.set(i, fresh);
        load.add(fresh);
        System.out.printf("ClusterIT: node-%d stopped in %d ms and was back, serving, %d ms later%n", i + 1,
            TimeUnit.NANOSECONDS.toMillis(stopped - stopping), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped));
        Thread.sleep(2_000);  // traffic through the whole cluster before the next node goes
      }
      load.close();
      assertEquals(List.of(), load.failures(), "no request failed while every node restarted in turn");
      assertTrue(load.answered() > 300, "traffic flowed all along: " + load.answered());
    }

    var streams = new java.util.TreeMap<String, List<ScratchDatabase.JournalRow>>();
    for (var row : journal.rows()) streams.computeIfAbsent(row.persistenceId(), id -> new ArrayList<>()).add(row);
    int movedWhileWriting = 0;
    for (var stream : streams.entrySet()) {
      List<Long> numbers = stream.getValue().stream().map(ScratchDatabase.JournalRow::sequenceNr).toList();
      List<Long> expected = java.util.stream.LongStream.rangeClosed(1, numbers.size()).boxed().toList();
      assertEquals(expected, numbers, stream.getKey() + " has no gap");
      // A fork would be two incarnations writing in turn: each writer's rows must be one run.
      List<String> runs = new ArrayList<>();
      for (var row : stream.getValue()) {
        if (runs.isEmpty() || !runs.get(runs.size() - 1).equals(row.writer())) runs.add(row.writer());
      }
      assertEquals(runs.size(), new java.util.HashSet<>(runs).size(), stream.getKey() + " has no fork: " + runs);
      if (stream.getKey().startsWith("ProviderBreaker|") && runs.size() > 1) movedWhileWriting++;
    }
    assertTrue(movedWhileWriting > 0, "a breaker journaled from more than one node: " + streams.keySet());
  }

  /** When each node's /health first showed the breaker open (System.nanoTime), polled every 5 ms. */
  private long[] awaitOpenOnEveryNode(Duration patience) throws Exception {
    return awaitCircuitOnEveryNode("open", patience);
  }

  /** When each node's /health first showed the breaker's circuit so (System.nanoTime), polled every 5 ms. */
  private long[] awaitCircuitOnEveryNode(String circuit, Duration patience) throws Exception {
    long[] seen = new long[nodes.size()];
    long deadline = System.nanoTime() + patience.toNanos();
    int there = 0;
    while (there < nodes.size() && System.nanoTime() < deadline) {
      for (int i = 0; i < nodes.size(); i++) {
        if (seen[i] == 0 && circuit.equals(breaker(nodes.get(i)).path("circuit").asText())) {
          seen[i] = System.nanoTime();
          there++;
        }
      }
      Thread.sleep(5);
    }
    assertEquals(nodes.size(), there, "every node's view shows the breaker " + circuit);
    return seen;
  }

  /** The value once it has not changed for a second (at most 10 s): the journal once writes settle. */
  private static int awaitStable(java.util.concurrent.Callable<Integer> value) throws Exception {
    int last = value.call();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      Thread.sleep(1_000);
      int now = value.call();
      if (now == last) return now;
      last = now;
    }
    return last;
  }

  private static int count(List<String> manifests, String manifest) {
    return (int) manifests.stream().filter(manifest::equals).count();
  }

  /** The simple class names of the last {@code n} events. */
  private static List<String> tail(List<String> manifests, int n) {
    return manifests.subList(Math.max(0, manifests.size() - n), manifests.size()).stream()
        .map(m -> m.substring(m.lastIndexOf('$') + 1)).toList();
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
}
