package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;

import detour.providers.breaker.BreakerState.Circuit;
import detour.simulator.Behaviour;
import detour.providers.testing.TestClock;
import detour.router.testing.RouterHarness;
import detour.router.testing.RouterHarness.Reply;
import detour.simulator.testing.SimulatorExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A route's deadline is shared among its candidates, so a hung primary cannot eat it all. */
class DeadlineIT {
  @RegisterExtension static final SimulatorExtension upstreams = new SimulatorExtension("a", "b");

  @Test
  void aStalledPrimaryOnAShortRouteGetsHalfTheDeadlineAndTheFallbackAnswersInTime(@TempDir Path dir)
      throws Exception {
    // The providers' attempt-timeout is 60 s, the route's deadline 20 s: without sharing, a stalled
    // primary would hold every request until the deadline and the fallback would never be asked.
    try (var router = RouterHarness.start(upstreams.simulator(), List.of("a", "b"), dir.resolve("journal"),
        TestClock.at("2026-01-05T09:00:00Z"), RouterHarness.SIMPLE_RECOVERY + "\ndetour.routes.default.deadline = 20s")) {
      // Slow in real time, so the abandoned call still ends; on the router's manual clock it stalls.
      upstreams.instance("a").behave(Behaviour.slow(3_000));

      var pending = router.chatInBackground();
      router.awaitUntil("the primary has the request", () -> upstreams.instance("a").requests() == 1);
      router.timePasses(Duration.ofSeconds(10));
      Reply reply = pending.get(20, TimeUnit.SECONDS);

      assertEquals(200, reply.status());
      assertEquals("b", reply.header("x-detour-provider"));
      var stalled = reply.trace().path("attempts").get(0);
      assertEquals("total_timeout", stalled.path("error_class").asText());
      assertEquals("no answer within 10s, its share of the route's 20s deadline", stalled.path("detail").asText());
      router.assertCircuit("a/model-a", Circuit.CLOSED);  // counted: four more and it opens
    }
  }
}
