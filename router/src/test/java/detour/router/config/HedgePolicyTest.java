package detour.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** hedge-after: off, a fixed delay, or the first candidate's own p95 once it is known. */
class HedgePolicyTest {
  private static HedgePolicy read(String value) {
    return HedgePolicy.from(ConfigFactory.parseString("hedge-after = " + value), "hedge-after");
  }

  @Test
  void offNeverHedges() {
    assertEquals(Optional.empty(), read("off").delay(new LatencySnapshot(100, 900)));
  }

  @Test
  void aFixedDelayIgnoresTheObservedLatency() {
    assertEquals(Optional.of(Duration.ofMillis(1500)), read("1500ms").delay(LatencySnapshot.EMPTY));
  }

  @Test
  void p95HedgesAtTheFirstCandidatesOwnP95OnceItHasEnoughSamples() {
    HedgePolicy p95 = read("p95");

    assertEquals(Optional.of(Duration.ofMillis(2_400)), p95.delay(new LatencySnapshot(20, 2_400)));
    assertEquals(Optional.empty(), p95.delay(new LatencySnapshot(19, 2_400)), "too few answers to know its p95");
  }

  @Test
  void aDelayThatIsNotPositiveIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> read("0s"));
  }
}
