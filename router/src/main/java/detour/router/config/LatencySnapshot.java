package detour.router.config;

/**
 * A model's recent latency, as its route's latency guardrail reads it.
 *
 * @param samples how many recent successful attempts it was computed from
 * @param p95Millis their 95th percentile (nearest rank), in milliseconds; 0 without samples
 */
public record LatencySnapshot(int samples, long p95Millis) {
  public static final LatencySnapshot EMPTY = new LatencySnapshot(0, 0);
}
