package detour.providers.breaker;

import akka.Done;
import detour.persistence.breaker.BreakerScope;
import java.util.concurrent.CompletionStage;

/**
 * Where a breaker announces each phase it enters, live or after recovery. On one node that is the
 * {@link BreakerView} itself; in a cluster, the view of every node.
 */
@FunctionalInterface
public interface BreakerPublisher {
  /**
   * @param version the breaker's journal sequence number once in this phase: a higher one is newer,
   *     so that a late copy of an older state never overwrites a newer one
   * @return completes once every node's view holds it, or as many as answered in time (on one
   *     node: at once); an operator's order is answered then
   */
  CompletionStage<Done> publish(BreakerScope scope, BreakerState state, long version);
}
