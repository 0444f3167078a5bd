package detour.router.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import detour.providers.testing.TestClock;
import detour.router.config.LatencySnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The recent-latency recorder a latency guardrail reads. */
class LatencyStatsTest {
  private final TestClock clock = TestClock.at("2026-01-05T09:00:00Z");
  private final LatencyStats stats = new LatencyStats(clock);

  @Test
  void nothingRecordedIsNoSample() {
    assertEquals(LatencySnapshot.EMPTY, stats.snapshot());
  }

  @Test
  void theP95OfAHundredKnownLatenciesIsTheNinetyFifth() {
    for (int ms = 100; ms >= 1; ms--) stats.record(ms);  // in any order
    assertEquals(new LatencySnapshot(100, 95), stats.snapshot());
  }

  @Test
  void theP95OfTwentySamplesIsTheNineteenthByNearestRank() {
    for (int i = 1; i <= 19; i++) stats.record(1_000);
    stats.record(60_000);  // one outlier in twenty is above the 95th percentile
    assertEquals(new LatencySnapshot(20, 1_000), stats.snapshot());
    stats.record(60_000);  // two in twenty-one are not
    assertEquals(new LatencySnapshot(21, 60_000), stats.snapshot());
  }

  @Test
  void onlyTheLastHundredAndTwentyEightCount() {
    for (int i = 0; i < 1_000; i++) stats.record(10_000);  // old and slow
    for (int i = 1; i <= LatencyStats.CAPACITY; i++) stats.record(i);
    assertEquals(new LatencySnapshot(LatencyStats.CAPACITY, 122), stats.snapshot());  // ceil(0.95 x 128) = 122
    assertEquals(1_000 + LatencyStats.CAPACITY, stats.recorded());
  }

  @Test
  void samplesOlderThanTheWindowAgeOut() {
    for (int i = 0; i < 30; i++) stats.record(9_000);
    clock.advance(LatencyStats.WINDOW.minusSeconds(1));
    for (int i = 0; i < 10; i++) stats.record(200);
    assertEquals(40, stats.snapshot().samples());
    clock.advance(Duration.ofSeconds(2));  // the first thirty are now older than the window
    assertEquals(new LatencySnapshot(10, 200), stats.snapshot());
    clock.advance(LatencyStats.WINDOW);
    assertEquals(LatencySnapshot.EMPTY, stats.snapshot());
  }

  @Test
  void aLatencyBeyondHoursIsKeptAsTheLongestItCanHold() {
    stats.record(Duration.ofDays(1).toMillis());
    stats.record(-5);  // a clock step backwards is never a negative latency
    var snapshot = stats.snapshot();
    assertEquals(2, snapshot.samples());
    assertTrue(snapshot.p95Millis() >= Duration.ofHours(4).toMillis(), "" + snapshot);
  }

  @Test
  void recordsFromManyThreadsAtOnceLoseNothingAndMixNothing() throws Exception {
    int threads = 8;
    int each = 10_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      long latency = 1_000L * (t + 1);  // each thread its own value: any other in a slot would be torn
      done.add(pool.submit(() -> {
        start.await();
        for (int i = 0; i < each; i++) stats.record(latency);
        return null;
      }));
      done.add(pool.submit(() -> {
        start.await();
        for (int i = 0; i < 1_000; i++) stats.snapshot();  // readers alongside
        return null;
      }));
    }
    start.countDown();
    for (Future<?> f : done) f.get(30, TimeUnit.SECONDS);
    pool.shutdown();

    assertEquals((long) threads * each, stats.recorded());
    LatencySnapshot snapshot = stats.snapshot();
    assertEquals(LatencyStats.CAPACITY, snapshot.samples());
    assertTrue(snapshot.p95Millis() % 1_000 == 0 && snapshot.p95Millis() >= 1_000
        && snapshot.p95Millis() <= 1_000L * threads, "a value no thread recorded: " + snapshot);
  }
}
