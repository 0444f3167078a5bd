package detour.router.config;

/**
 * Where a model's recent latency can be read. Read only by a route with a latency guardrail, so
 * the reading (which may sort the recent samples) costs nothing elsewhere.
 */
@FunctionalInterface
public interface ObservedLatency {
  /** Nothing observed. */
  ObservedLatency NONE = () -> LatencySnapshot.EMPTY;

  /** The samples now and their p95; computed on each call. */
  LatencySnapshot snapshot();
}
