package detour.providers.breaker;

import detour.persistence.breaker.BreakerScope;

/**
 * Where a breaker announces each phase it enters, live or after recovery. On one node that is the
 * {@link BreakerView} itself; in a cluster, the view of every node.
 */
@FunctionalInterface
public interface BreakerPublisher {
  /**
   * @param version the breaker's journal sequence number once in this phase: a higher one is newer,
   *     so that a late copy of an older state never overwrites a newer one
   */
  void publish(BreakerScope scope, BreakerState state, long version);
}
