package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;

import detour.providers.breaker.BreakerState.Circuit;
import detour.simulator.Behaviour;
import detour.simulator.ProviderSimulator;
import detour.providers.testing.TestClock;
import detour.router.testing.RouterHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With active probing on, a half-open breaker tests its model itself, with no caller's request. */
class ActiveProbeIT {
  @Test
  void aHealedModelIsProbedAndClosedWithoutAnyRealRequest(@TempDir Path journalDir) {
    try (var simulator = ProviderSimulator.start(Map.of("a", 0, "b", 0));
        var router = RouterHarness.start(simulator, List.of("a", "b"), journalDir.resolve("journal"),
            TestClock.at("2026-01-05T09:00:00Z"),
            RouterHarness.SIMPLE_RECOVERY + "\ndetour.breaker.active-probe.enabled = on")) {
      var primary = simulator.instance("a");
      primary.behave(Behaviour.error(503));
      for (int i = 0; i < 5; i++) router.chat();
      router.assertCircuit("a/model-a", Circuit.OPEN);
      primary.behave(Behaviour.ok());

      router.timePasses(Duration.ofSeconds(30));
      router.awaitUntil("the breaker's own probe closed the circuit",
          () -> router.circuit("a/model-a").circuit() == Circuit.CLOSED);

      assertEquals(6, primary.requests(), "one probe, sent by the breaker itself");
      assertEquals("a", router.chat().header("x-detour-provider"));
    }
  }
}
