package detour.router.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import detour.router.config.LoadShedding;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The shedding rule on its own, fed samples of the queue delay: no clock, no thread. */
class SaturationSheddingTest {
  private static final long MS = 1_000_000L;
  private static final LoadShedding ON = new LoadShedding(true, Duration.ofMillis(5), Duration.ofMillis(100));

  /** Feeds one interval of ten samples with the given delays; returns the last change. */
  private static SaturationShedding.Change interval(SaturationShedding shedding, long... delaysMs) {
    SaturationShedding.Change last = SaturationShedding.Change.NONE;
    for (long delay : delaysMs) {
      var change = shedding.observe(delay * MS);
      if (change != SaturationShedding.Change.NONE) last = change;
    }
    return last;
  }

  private static long[] tenOf(long delayMs) {
    long[] d = new long[10];
    java.util.Arrays.fill(d, delayMs);
    return d;
  }

  @Test
  void aPauseThatDelaysSomeSamplesOfAnIntervalShedsNothing() {
    var shedding = new SaturationShedding(ON);
    for (int i = 0; i < 5; i++) interval(shedding, 80, 60, 40, 0, 0, 0, 0, 0, 0, 0);

    assertEquals(0.0, shedding.share());
    assertFalse(shedding.shedsNext());
  }

  @Test
  void aQueueThatStandsAboveTheTargetForAWholeIntervalShedsAGrowingShare() {
    var shedding = new SaturationShedding(ON);

    assertEquals(SaturationShedding.Change.STARTED, interval(shedding, tenOf(12)));
    assertEquals(0.1, shedding.share(), 1e-9);
    interval(shedding, tenOf(12));
    interval(shedding, tenOf(30));
    assertEquals(0.3, shedding.share(), 1e-9, "one step per interval, however far above the target");
  }

  @Test
  void theShareHoldsBetweenHalfTheTargetAndTheTarget() {
    var shedding = new SaturationShedding(ON);
    interval(shedding, tenOf(9));
    interval(shedding, tenOf(9));

    interval(shedding, tenOf(4));
    interval(shedding, tenOf(3));

    assertEquals(0.2, shedding.share(), 1e-9);
  }

  @Test
  void onceTheQueueDrainsTheShareFallsByHalfAStepPerIntervalUntilNothingIsShed() {
    var shedding = new SaturationShedding(ON);
    interval(shedding, tenOf(20));
    interval(shedding, tenOf(20));

    interval(shedding, tenOf(1));
    assertEquals(0.15, shedding.share(), 1e-9);
    interval(shedding, tenOf(1));
    interval(shedding, tenOf(1));
    assertEquals(SaturationShedding.Change.STOPPED, interval(shedding, tenOf(1)));
    assertEquals(0.0, shedding.share());
    assertFalse(shedding.shedsNext());
  }

  @Test
  void aSaturatedNodeEventuallyRefusesEveryRequestButNeverMoreThanAll() {
    var shedding = new SaturationShedding(ON);
    for (int i = 0; i < 15; i++) interval(shedding, tenOf(50));

    assertEquals(1.0, shedding.share(), 1e-9);
    for (int i = 0; i < 1_000; i++) assertTrue(shedding.shedsNext());
    assertEquals(1_000, shedding.refused(), "each refusal counted");
  }

  @Test
  void aShareShedsRoughlyThatShareOfRequests() {
    var shedding = new SaturationShedding(ON);
    for (int i = 0; i < 5; i++) interval(shedding, tenOf(50));

    int shed = 0;
    for (int i = 0; i < 100_000; i++) if (shedding.shedsNext()) shed++;
    assertEquals(0.5, shed / 100_000.0, 0.02);
  }

  @Test
  void whenDisabledNothingIsShedButTheDelayIsStillReported() {
    var shedding = new SaturationShedding(new LoadShedding(false, Duration.ofMillis(5), Duration.ofMillis(100)));
    for (int i = 0; i < 10; i++) interval(shedding, tenOf(500));

    assertEquals(0.0, shedding.share());
    assertFalse(shedding.shedsNext());
    assertEquals(500 * MS, shedding.lastDelayNanos());
  }
}
