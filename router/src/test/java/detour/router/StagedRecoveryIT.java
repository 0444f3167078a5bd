package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

/** With the shipped breaker defaults, a healed primary earns its traffic back in stages. */
class StagedRecoveryIT {
  @RegisterExtension static final SimulatorExtension upstreams = new SimulatorExtension("a", "b");
  @TempDir Path journalDir;

  @Test
  void threeProbesThenTenPercentThenHalfThenAllOfTheTraffic() {
    var primary = upstreams.instance("a");
    primary.behave(Behaviour.error(503));
    try (var router = RouterHarness.start(upstreams.simulator(), List.of("a", "b"), journalDir.resolve("journal"),
        TestClock.at("2026-01-05T09:00:00Z"), "")) {
      for (int i = 0; i < 5; i++) router.chat();
      router.assertCircuit("a/model-a", Circuit.OPEN);
      primary.behave(Behaviour.ok());

      // The cooldown is 30 s +/- 20 % jitter: past 36 s it is over whatever was drawn.
      router.timePasses(Duration.ofSeconds(36));
      router.assertCircuit("a/model-a", Circuit.HALF_OPEN);
      for (int probe = 1; probe <= 3; probe++) {
        assertEquals("a", router.chat().header("x-detour-provider"), "probe " + probe);
      }
      assertEquals(8, primary.requests());
      router.assertCircuit("a/model-a", Circuit.RECOVERING);

      assertEquals(2, primaryAnswersOf(router, 20), "stage 1: one request in ten");
      router.timePasses(Duration.ofSeconds(10));
      assertEquals(0.5, router.circuit("a/model-a").share());
      assertEquals(5, primaryAnswersOf(router, 10), "stage 2: one request in two");
      router.timePasses(Duration.ofSeconds(10));
      router.assertCircuit("a/model-a", Circuit.CLOSED);
      assertEquals(10, primaryAnswersOf(router, 10), "closed: all of it");
    }
  }

  @Test
  void aFailureDuringTheRampReopensTheCircuitAtOnce() {
    var primary = upstreams.instance("a");
    primary.behave(Behaviour.error(503));
    try (var router = RouterHarness.start(upstreams.simulator(), List.of("a", "b"), journalDir.resolve("journal"),
        TestClock.at("2026-01-05T09:00:00Z"), "")) {
      for (int i = 0; i < 5; i++) router.chat();
      primary.behave(Behaviour.ok());
      router.timePasses(Duration.ofSeconds(36));
      for (int probe = 0; probe < 3; probe++) router.chat();
      router.assertCircuit("a/model-a", Circuit.RECOVERING);

      primary.behave(Behaviour.error(500));
      primaryAnswersOf(router, 30);  // three of them reach the primary, and fail over
      router.assertCircuit("a/model-a", Circuit.OPEN);
      assertEquals(1, router.circuit("a/model-a").reopens());
    }
  }

  private static int primaryAnswersOf(RouterHarness router, int requests) {
    int primary = 0;
    for (int i = 0; i < requests; i++) {
      var reply = router.chat();
      assertEquals(200, reply.status());
      if ("a".equals(reply.header("x-detour-provider"))) primary++;
    }
    return primary;
  }
}
