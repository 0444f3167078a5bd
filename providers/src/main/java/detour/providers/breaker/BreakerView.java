package detour.providers.breaker;

import detour.persistence.breaker.BreakerScope;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest state of every breaker, for the request path. Breakers publish, anyone reads: a read
 * is one lock-free map lookup, costs no message and never waits for an actor.
 */
public final class BreakerView {
  private final ConcurrentHashMap<String, BreakerState> states = new ConcurrentHashMap<>();

  /** A view that nobody else reads: for a breaker tested on its own. */
  public static BreakerView detached() {
    return new BreakerView();
  }

  public void publish(BreakerScope scope, BreakerState state) {
    states.put(scope.key(), state);
  }

  /**
   * The provider's last published state. A provider whose breaker has not yet recovered reads as
   * closed; the router serves nothing until every breaker has published (see {@link #knows}).
   */
  public BreakerState stateOf(String provider) {
    return states.getOrDefault(provider, BreakerState.CLOSED);
  }

  public boolean knows(String provider) {
    return states.containsKey(provider);
  }

  /** Every breaker's state, sorted by provider, for health pages and tests. */
  public Map<String, BreakerState> snapshot() {
    return new TreeMap<>(states);
  }
}
