package detour.router.coordinator;

import detour.router.config.LatencySnapshot;
import detour.router.config.ObservedLatency;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The latencies of one model's recent successful attempts: a fixed ring of the last {@value
 * #CAPACITY}, each stamped with the time it was recorded, of which only those younger than {@link
 * #WINDOW} count. Recording is one atomic increment and one atomic write: no lock, no allocation,
 * from any thread. The p95 is computed on read (a copy and a sort of at most {@value #CAPACITY}
 * numbers), by a route with a latency guardrail only.
 *
 * <p>The window lets a model skipped for its latency come back: with no new successes its samples
 * age out, it falls below the samples a judgement needs, and it is tried again.
 *
 * <p>Why a sort and not HdrHistogram (which the load drivers use): the p95 is read on the request
 * path, of at most 128 samples, and must be one of them. Filling a 3-digit HdrHistogram with the
 * window's samples on each read took ten times as long as the sort (72 against 7 µs, 128 samples,
 * a loaded 2-core machine), allocated 120 KB each time, and reported a bucket's upper bound (60,031
 * ms for a p95 of 60,000); keeping one histogram per model would instead need a lock or a time-sliced
 * recorder to age samples out. Its nearest rank is the same as this one's.
 */
public final class LatencyStats implements ObservedLatency {
  /** The successes remembered; a power of two. */
  public static final int CAPACITY = 128;
  /** How old a success may be and still count. */
  public static final Duration WINDOW = Duration.ofMinutes(5);

  /** A slot holds (time since {@link #origin} + 1) in its high bits and the latency in its low ones; 0 is empty. */
  private static final int LATENCY_BITS = 24;
  private static final long MAX_LATENCY = (1L << LATENCY_BITS) - 1;  // 4.6 hours, in ms

  private final AtomicLongArray ring = new AtomicLongArray(CAPACITY);
  private final AtomicLong recorded = new AtomicLong();
  private final InstantSource clock;
  private final long origin;

  public LatencyStats(InstantSource clock) {
    this.clock = clock;
    this.origin = clock.millis();
  }

  /** Remembers one success's latency (a whole answer's, or a stream's time to first content). */
  public void record(long latencyMillis) {
    long at = Math.max(0, clock.millis() - origin);
    long slot = recorded.getAndIncrement() & (CAPACITY - 1);
    ring.set((int) slot, ((at + 1) << LATENCY_BITS) | Math.min(Math.max(latencyMillis, 0), MAX_LATENCY));
  }

  /** How many successes were ever recorded. */
  public long recorded() {
    return recorded.get();
  }

  @Override
  public LatencySnapshot snapshot() {
    long oldest = clock.millis() - origin - WINDOW.toMillis();
    long[] latencies = new long[CAPACITY];
    int n = 0;
    for (int i = 0; i < CAPACITY; i++) {
      long slot = ring.get(i);
      if (slot == 0) continue;
      long at = (slot >>> LATENCY_BITS) - 1;
      if (at >= oldest) latencies[n++] = slot & MAX_LATENCY;
    }
    if (n == 0) return LatencySnapshot.EMPTY;
    Arrays.sort(latencies, 0, n);
    int rank = (95 * n + 99) / 100;  // nearest rank: the smallest that at least 95 % are no greater than
    return new LatencySnapshot(n, latencies[rank - 1]);
  }
}
