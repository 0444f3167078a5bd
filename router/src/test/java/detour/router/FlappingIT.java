package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import detour.providers.breaker.BreakerState.Circuit;
import detour.simulator.Behaviour;
import detour.simulator.ProviderSimulator;
import detour.providers.testing.TestClock;
import detour.router.testing.RouterHarness;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped defaults against the simulator's seeded random faults, end to end. Counted in
 * requests, not seconds, so the test is deterministic: at 50 requests per second, 1,500 requests
 * are 30 s of sustained traffic and 100 requests are 2 s. scripts/bench/breaker-timing.sh measures
 * the same in real time.
 */
class FlappingIT {

  @Test
  void threePercentOfRandomFaultsNeverOpenTheCircuitWhileSixtyPercentOpenItWithinTwoSecondsOfTraffic(
      @TempDir Path journalDir) {
    try (var simulator = ProviderSimulator.start(Map.of("a", 0, "b", 0));
        var router = RouterHarness.start(simulator, List.of("a", "b"), journalDir.resolve("journal"),
            TestClock.at("2026-01-05T09:00:00Z"), "")) {
      var primary = simulator.instance("a");

      primary.behave(Behaviour.failFraction(0.03, 503, 42));
      for (int i = 0; i < 1_500; i++) {
        assertEquals(200, router.chat().status());
      }
      router.assertCircuit("a/model-a", Circuit.CLOSED);
      long failed = primary.stats().error();
      assertTrue(failed >= 20 && failed <= 80, "about 3 % of 1,500 calls failed: " + failed);

      primary.behave(Behaviour.failFraction(0.6, 503, 7));
      int requests = 0;
      while (router.circuit("a/model-a").circuit() == Circuit.CLOSED && requests < 100) {
        assertEquals(200, router.chat().status(), "every caller is still answered");
        requests++;
      }
      // The loop stops at 100 requests: an open circuit now means it opened within them.
      router.assertCircuit("a/model-a", Circuit.OPEN);
    }
  }
}
