package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import detour.simulator.Behaviour;
import detour.providers.testing.TestClock;
import detour.router.testing.RouterHarness;
import detour.router.testing.RouterHarness.Reply;
import detour.router.testing.RouterHarness.Streamed;
import detour.simulator.testing.SimulatorExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A route with hedge-after: a slow primary gets a second candidate beside it, and the first to answer wins. */
class HedgingIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String STREAM = "{\"model\": \"default\", \"stream\": true, "
      + "\"messages\": [{\"role\": \"user\", \"content\": \"Say hello.\"}]}";

  @RegisterExtension static final SimulatorExtension upstreams = new SimulatorExtension("a", "b");
  @TempDir static Path journalDir;
  static RouterHarness router;

  @BeforeAll
  static void start() {
    router = RouterHarness.start(upstreams.simulator(), List.of("a", "b"), journalDir.resolve("journal"),
        TestClock.at("2026-01-05T09:00:00Z"), RouterHarness.SIMPLE_RECOVERY + "\ndetour.routes.default.hedge-after = 1s");
  }

  @AfterAll
  static void stop() {
    router.close();
  }

  @Test
  void aQuickPrimaryIsNeverHedged() {
    Reply reply = router.chat();

    assertEquals("a", reply.header("x-detour-provider"));
    assertEquals(0, upstreams.instance("b").requests());
  }

  @Test
  void aStreamStalledBeforeItsFirstTokenIsHedgedAndTheLoserIsCancelled() throws Exception {
    upstreams.instance("a").behave(Behaviour.stallFirstToken());

    CompletableFuture<Streamed> pending = CompletableFuture.supplyAsync(() -> router.stream(STREAM));
    router.awaitUntil("the primary is streaming", () -> upstreams.instance("a").stats().streams() == 1);
    router.timePasses(Duration.ofSeconds(1));
    Streamed reply = pending.get(20, TimeUnit.SECONDS);

    assertEquals("b", reply.header("x-detour-provider"));
    assertTrue(reply.done());
    JsonNode attempts = JSON.readTree(reply.lines().get(0).substring(": detour ".length())).path("attempts");
    assertEquals("answered", attempts.get(0).path("result").asText());
    assertTrue(attempts.get(0).path("hedge").asBoolean(), attempts.toString());
    assertEquals("abandoned", attempts.get(1).path("result").asText());
    assertTrue(attempts.get(1).path("may_have_executed").asBoolean(), attempts.toString());
    router.awaitUntil("the losing upstream saw the cancel", () -> {
      router.timePasses(Duration.ofMillis(100));  // Akka HTTP's stream-cancellation-delay, on manual time
      return upstreams.instance("a").stats().cancelled() == 1;
    });
  }

  @Test
  void aSlowPrimaryThatAnswersFirstWinsAndTheHedgeIsMarkedAsMayHaveExecuted() throws Exception {
    // Real time: a answers while b is still working; b's own answer, later, goes nowhere.
    upstreams.instance("a").behave(Behaviour.slow(500));
    upstreams.instance("b").behave(Behaviour.slow(3_000));

    CompletableFuture<Reply> pending = router.chatInBackground();
    router.awaitUntil("the primary has the request", () -> upstreams.instance("a").requests() == 1);
    router.timePasses(Duration.ofSeconds(1));
    router.awaitUntil("the hedge has the request", () -> upstreams.instance("b").requests() == 1);
    Reply reply = pending.get(20, TimeUnit.SECONDS);

    assertEquals(200, reply.status());
    assertEquals("a", reply.header("x-detour-provider"));
    JsonNode attempts = reply.trace().path("attempts");
    assertEquals("answered", attempts.get(0).path("result").asText());
    assertEquals("abandoned", attempts.get(1).path("result").asText());
    assertEquals("b", attempts.get(1).path("provider").asText());
    assertTrue(attempts.get(1).path("hedge").asBoolean());
    assertTrue(attempts.get(1).path("may_have_executed").asBoolean(), "a whole answer cannot be called back");
    assertTrue(attempts.get(1).path("prompt_tokens_at_risk").asLong() > 0, "its prompt, estimated: " + attempts);
    assertTrue(attempts.get(1).path("cost_usd_at_risk").isMissingNode(), "the catalogue gives no price here");
  }
}
