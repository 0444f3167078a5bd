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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three Detour processes in one cluster; the node that owns a breaker freezes (SIGSTOP: neither
 * crashed nor downed, as in a hang or a partition) just as its provider starts failing. The
 * survivors must keep answering every caller and stop sending the failing provider traffic on
 * their own evidence, without waiting for the cluster to move the breaker. Bounded: every wait
 * has a deadline, and the test stops (or kills) every process it started.
 */
class ClusterUnreachableIT {
  @RegisterExtension static final SimulatorExtension upstreams = new SimulatorExtension("primary", "fallback");
  static final ObjectMapper JSON = new ObjectMapper();
  static final String BREAKER = "primary/sim-large";
  static final int NODES = 3;
  static final int CONSECUTIVE_FAULTS = 5;  // the shipped default of detour.breaker.consecutive-faults

  LocalCluster cluster;
  ScratchDatabase journal;
  List<DetourProcess> nodes;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void startCluster(@TempDir Path work) throws Exception {
    cluster = LocalCluster.prepare(work, upstreams, NODES);
    journal = cluster.journal();
    nodes = cluster.start(
        // A local hold lasts longer than the test: once held, the primary gets nothing.
        "detour.breaker { cooldown = 120s, cooldown-jitter = 0 }\n"
        // The frozen node is not downed within the test, so its breakers do not simply move.
        + "akka.cluster.split-brain-resolver.stable-after = 60s");
  }

  @AfterEach
  void stopCluster() throws Exception {
    if (cluster != null) cluster.close();  // kills a paused node, keeps each node's output in target/
  }

  @Test
  void whileTheBreakersOwnerIsFrozenEachSurvivorStopsCallingTheFailingPrimaryOnItsOwnEvidenceAndNoCallerFails()
      throws Exception {
    var primary = upstreams.instance("primary");
    for (var node : nodes) assertEquals(200, node.chat("default").statusCode());
    int ownerIndex = ownerOf(BREAKER);
    DetourProcess owner = nodes.get(ownerIndex);
    List<DetourProcess> survivors = nodes.stream().filter(n -> n != owner).toList();

    List<Integer> linesBefore = survivors.stream().map(n -> n.output().size()).toList();
    owner.pause();
    for (int i = 0; i < survivors.size(); i++) {
      awaitLine(survivors.get(i), linesBefore.get(i), "breaker=" + BREAKER + " owner has not answered",
          Duration.ofSeconds(15));
    }

    primary.behave(Behaviour.error(503));
    long callsBefore = primary.requests();
    try (var load = new ClusterLoad(survivors)) {
      for (var survivor : survivors) {
        awaitHealth(survivor, b -> "locally".equals(b.path("held").asText()), Duration.ofSeconds(10));
      }
      long callsToHold = primary.requests() - callsBefore;
      int answeredBefore = load.answered();
      TimeUnit.SECONDS.sleep(2);
      System.out.printf("ClusterUnreachableIT: the survivors sent the failing primary %d calls before holding it"
          + " open on their own evidence%n", callsToHold);
      assertTrue(load.answered() > answeredBefore + 10, "traffic went on: " + load.answered());
      assertEquals(callsBefore + callsToHold, primary.requests(), "once held, the primary got nothing");
      // Each caller is sequential: its node sees the faults one by one and holds after the rules' run
      // (one more each at most, for a request that read the view just before the hold).
      assertTrue(callsToHold <= survivors.size() * (CONSECUTIVE_FAULTS + 1L),
          "each survivor held within its own run of faults: " + callsToHold + " calls");
      assertEquals(0, load.failed(), "callers saw no failure: every request failed over to the fallback");
    }
    for (var survivor : survivors) {
      JsonNode b = breaker(survivor);
      assertEquals("open", b.path("circuit").asText());
      assertEquals("unreachable", b.path("owner").asText());
      assertEquals("closed", b.path("cluster_circuit").asText(), "the cluster's state stays as last replicated");
    }
    assertEquals(List.of(), journal.journaled("ProviderBreaker|" + BREAKER), "a local hold is never journaled");

    owner.resume();
    for (int i = 0; i < survivors.size(); i++) {
      awaitHealth(survivors.get(i), b -> !b.has("held"), Duration.ofSeconds(15));
      awaitLine(survivors.get(i), linesBefore.get(i), "breaker=" + BREAKER + " owner answers again",
          Duration.ofSeconds(5));
    }
    // The survivors' faults, held by the cluster while the owner was frozen, reach it now: the
    // cluster's own breaker opens, journaled once, and rules every node's view.
    for (var node : nodes) awaitHealth(node, b -> "open".equals(b.path("circuit").asText()), Duration.ofSeconds(15));
    assertEquals(List.of("detour.persistence.breaker.BreakerEvent$Tripped"),
        journal.journaled("ProviderBreaker|" + BREAKER), "the owner judged the evidence, once");
  }

  /** The node whose shard region holds the breaker's shard, by its management endpoint. */
  private int ownerOf(String scope) throws Exception {
    // Akka's default shard of an entity: abs(hashCode) mod number-of-shards (1000).
    String shard = Integer.toString(Math.abs(scope.hashCode()) % 1000);
    for (int i = 0; i < NODES; i++) {
      var reply = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + cluster.managementPort(i) + "/cluster/shards/ProviderBreaker"))
          .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
      for (JsonNode region : JSON.readTree(reply.body()).path("regions")) {
        if (shard.equals(region.path("shardId").asText()) && region.path("numEntities").asInt() > 0) return i;
      }
    }
    throw new AssertionError("no node's shard region holds shard " + shard + " of " + scope);
  }

  /** Waits for a line with the text among those the node printed after its first {@code skip}. */
  private static void awaitLine(DetourProcess node, int skip, String text, Duration patience) throws Exception {
    long deadline = System.nanoTime() + patience.toNanos();
    while (node.output().stream().skip(skip).noneMatch(l -> l.contains(text))) {
      assertTrue(System.nanoTime() < deadline, "no line '" + text + "' within " + patience + ": "
          + node.output().stream().filter(l -> l.contains(BREAKER)).toList());
      Thread.sleep(50);
    }
  }

  private static void awaitHealth(DetourProcess node, Predicate<JsonNode> breakerIs, Duration patience)
      throws Exception {
    long deadline = System.nanoTime() + patience.toNanos();
    JsonNode b = breaker(node);
    while (!breakerIs.test(b)) {
      assertTrue(System.nanoTime() < deadline, "the breaker's health within " + patience + " was " + b);
      Thread.sleep(20);
      b = breaker(node);
    }
  }

  private static JsonNode breaker(DetourProcess node) throws Exception {
    return JSON.readTree(node.get("/health").body()).path("breakers").path(BREAKER);
  }
}
