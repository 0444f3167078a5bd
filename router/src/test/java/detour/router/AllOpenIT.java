package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import detour.providers.breaker.BreakerState.Circuit;
import detour.simulator.Behaviour;
import detour.providers.testing.TestClock;
import detour.router.testing.RouterHarness;
import detour.simulator.testing.SimulatorExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** When every candidate's circuit is open, the route still tries the one closest to recovery. */
class AllOpenIT {
  @RegisterExtension static final SimulatorExtension upstreams = new SimulatorExtension("a", "b");
  @TempDir Path journalDir;

  @Test
  void triesTheCandidateWhoseCooldownEndsFirstAndSaysSo() {
    try (var router = start(RouterHarness.SIMPLE_RECOVERY)) {
      openBoth(router);
      upstreams.instance("a").behave(Behaviour.ok());  // healed, but its circuit opened first

      var reply = router.chat();

      assertEquals(200, reply.status());
      assertEquals("a", reply.header("x-detour-provider"));
      var attempts = reply.trace().path("attempts");
      assertEquals("skipped", attempts.get(0).path("result").asText());
      assertEquals("skipped", attempts.get(1).path("result").asText());
      assertTrue(attempts.get(2).path("last_resort").asBoolean(), "the trace marks the last resort");
      router.assertCircuit("a/model-a", Circuit.OPEN);  // one last-resort success proves nothing to the breaker
    }
  }

  @Test
  void failsAtOnceWithRetryAfterWhenTheRouteSaysSo() {
    try (var router = start(RouterHarness.SIMPLE_RECOVERY + "\ndetour.route-defaults.when-all-open = fail")) {
      openBoth(router);
      long before = upstreams.instance("a").requests() + upstreams.instance("b").requests();

      var reply = router.chat();

      assertEquals(503, reply.status());
      assertNotNull(reply.header("Retry-After"));
      assertEquals(before, upstreams.instance("a").requests() + upstreams.instance("b").requests());
    }
  }

  private RouterHarness start(String config) {
    return RouterHarness.start(upstreams.simulator(), List.of("a", "b"), journalDir.resolve("journal"),
        TestClock.at("2026-01-05T09:00:00Z"), config);
  }

  /** Opens a's circuit, then, a second later, b's: a's cooldown ends first. */
  private static void openBoth(RouterHarness router) {
    upstreams.instance("a").behave(Behaviour.error(503));
    for (int i = 0; i < 5; i++) router.chat();
    router.assertCircuit("a/model-a", Circuit.OPEN);
    router.timePasses(Duration.ofSeconds(1));
    upstreams.instance("b").behave(Behaviour.error(503));
    for (int i = 0; i < 5; i++) router.chat();
    router.assertCircuit("b/model-b", Circuit.OPEN);
  }
}
