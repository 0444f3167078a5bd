package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import detour.providers.breaker.BreakerState.Circuit;
import detour.simulator.Behaviour;
import detour.simulator.testing.SimulatorExtension;
import detour.providers.testing.TestClock;
import detour.router.testing.RouterHarness;
import detour.router.testing.RouterHarness.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A body too large for a provider is the caller's problem: the caller gets a 413, and no circuit
 * opens for everyone else, however many such bodies one caller sends.
 */
class RequestSizeIT {
  @RegisterExtension static final SimulatorExtension upstreams = new SimulatorExtension("a", "b");

  /** Two models on provider a, as in the incident, then provider b. */
  private static final String TWO_MODELS_ON_A =
      "detour.models.model-a-mini { provider = a, upstream-model = mini, context-window = 8192 }\n"
          + "detour.routes.default.chain = [model-a, model-a-mini, model-b]";
  private static final List<String> SCOPES = List.of("a", "a/model-a", "a/mini", "b", "b/model-b");

  @Test
  void tenBodiesLargerThanEveryProviderTakesAre413sAndLeaveEveryCircuitClosed(@TempDir Path dir) {
    try (var router = start(dir)) {
      // Over the simulators' 8 MiB (Akka HTTP's default limit), under Detour's own 16 MiB.
      String huge = chat(9_000_000);
      for (int i = 0; i < 10; i++) {
        Reply reply = router.chat(huge);

        assertEquals(413, reply.status(), reply.raw().body());
        var error = reply.body().path("error");
        assertEquals("request_too_large", error.path("code").asText());
        assertEquals("invalid_request_error", error.path("type").asText());
        var attempts = reply.trace().path("attempts");
        assertEquals("request_too_large", attempts.get(0).path("error_class").asText());
        assertEquals("skipped", attempts.get(1).path("result").asText(), "a's other model has a's limit too");
        assertEquals("request_too_large", attempts.get(2).path("error_class").asText());
      }
      SCOPES.forEach(scope -> router.assertCircuit(scope, Circuit.CLOSED));

      Reply other = router.chat();
      assertEquals(200, other.status());
      assertEquals("a", other.header("x-detour-provider"), "another caller still gets the primary");
    }
  }

  @Test
  void resetsOfLargeBodiesAreTheRequestsButResetsOfOrdinaryOnesStillOpenTheCircuit(@TempDir Path dir) {
    try (var router = start(dir)) {
      upstreams.instance("a").behave(Behaviour.reset());
      String large = chat(2_000_000);  // above the 1 MiB of an ordinary request, larger than any a answered
      for (int i = 0; i < 10; i++) {
        Reply reply = router.chat(large);

        assertEquals(200, reply.status(), reply.raw().body());
        assertEquals("b", reply.header("x-detour-provider"));
        assertEquals("request_too_large", reply.trace().path("attempts").get(0).path("error_class").asText());
      }
      SCOPES.forEach(scope -> router.assertCircuit(scope, Circuit.CLOSED));

      for (int i = 0; i < 5; i++) assertEquals(200, router.chat().status());
      router.assertCircuit("a", Circuit.OPEN);  // five resets of ordinary requests in a row: a's fault
    }
  }

  @Test
  void aLargeBodyThatTimesOutIsTheRequestsAndFailsOverToAnotherProvider(@TempDir Path dir) throws Exception {
    try (var router = start(dir)) {
      // Slow in real time, so the abandoned call still ends; on the router's manual clock it stalls.
      upstreams.instance("a").behave(Behaviour.slow(3_000));
      var pending = CompletableFuture.supplyAsync(() -> router.chat(chat(2_000_000)));
      router.awaitUntil("the body is at provider a", () -> upstreams.instance("a").requests() == 1);
      router.timePasses(Duration.ofSeconds(40));  // a third of the 120 s deadline: a's share of it

      Reply reply = pending.get(20, TimeUnit.SECONDS);

      assertEquals(200, reply.status(), reply.raw().body());
      assertEquals("b", reply.header("x-detour-provider"));
      var first = reply.trace().path("attempts").get(0);
      assertEquals("request_too_large", first.path("error_class").asText());
      assertTrue(first.path("may_have_executed").asBoolean(), "a may still be working on it: " + first);
      SCOPES.forEach(scope -> router.assertCircuit(scope, Circuit.CLOSED));
    }
  }

  @Test
  void aResetOfABodyNoLargerThanOneTheProviderAnsweredIsTheProvidersFault(@TempDir Path dir) {
    try (var router = start(dir)) {
      assertEquals("a", router.chat(chat(3_000_000)).header("x-detour-provider"));
      upstreams.instance("a").behave(Behaviour.reset());

      Reply reply = router.chat(chat(2_000_000));

      assertEquals("connection_reset", reply.trace().path("attempts").get(0).path("error_class").asText());
    }
  }

  private static RouterHarness start(Path dir) {
    return RouterHarness.start(upstreams.simulator(), List.of("a", "b"), dir.resolve("journal"),
        TestClock.at("2026-01-05T09:00:00Z"), TWO_MODELS_ON_A);
  }

  /** A request whose body is about {@code bytes} long. */
  private static String chat(int bytes) {
    return "{\"model\":\"default\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(bytes) + "\"}]}";
  }
}
