package detour.persistence.routing;

import java.util.List;

/**
 * The latency buckets of {@link RoutingEvent.ModelSecond}: fixed, so that every node and every
 * version counts alike, and fine enough around the durations a breaker's {@code slow-call-duration}
 * is usually set to. Bucket {@code i} holds latencies in ({@code BOUNDS[i-1]}, {@code BOUNDS[i]}];
 * the last, {@code "inf"}, everything above the last bound. Add bounds only at the end.
 */
public final class LatencyBuckets {
  private LatencyBuckets() {}

  /** Upper bounds in milliseconds, inclusive. */
  private static final long[] BOUNDS = {
      5, 10, 25, 50, 100, 250, 500, 750, 1_000, 1_500, 2_000, 3_000, 4_000, 5_000, 6_000, 8_000, 10_000,
      12_000, 15_000, 20_000, 25_000, 30_000, 45_000, 60_000, 90_000, 120_000};

  /** The name of the bucket above every bound. */
  public static final String OVERFLOW = "inf";

  /** How many buckets there are, the overflow included. */
  public static int count() {
    return BOUNDS.length + 1;
  }

  /** The bucket a latency falls in. */
  public static int bucketOf(long millis) {
    for (int i = 0; i < BOUNDS.length; i++) {
      if (millis <= BOUNDS[i]) return i;
    }
    return BOUNDS.length;
  }

  /** A bucket's key in {@link RoutingEvent.ModelSecond#latencyMs()}. */
  public static String key(int bucket) {
    return bucket < BOUNDS.length ? Long.toString(BOUNDS[bucket]) : OVERFLOW;
  }

  /** The bucket a key names; -1 for a key this version does not know. */
  public static int ofKey(String key) {
    if (key.equals(OVERFLOW)) return BOUNDS.length;
    for (int i = 0; i < BOUNDS.length; i++) {
      if (key.equals(Long.toString(BOUNDS[i]))) return i;
    }
    return -1;
  }

  /**
   * The latency a replay assumes for a call of the bucket: the middle of its range (the overflow's
   * is 1.5 times the last bound). The replay's slow-call judgement is exact when
   * {@code slow-call-duration} sits on a bound, and off by at most one bucket otherwise.
   */
  public static long representative(int bucket) {
    if (bucket >= BOUNDS.length) return BOUNDS[BOUNDS.length - 1] * 3 / 2;
    long lower = bucket == 0 ? 0 : BOUNDS[bucket - 1];
    return (lower + BOUNDS[bucket] + 1) / 2;
  }

  /** The bounds, for documentation and tests. */
  public static List<Long> bounds() {
    return java.util.Arrays.stream(BOUNDS).boxed().toList();
  }
}
