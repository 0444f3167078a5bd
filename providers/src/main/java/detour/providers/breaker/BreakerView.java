package detour.providers.breaker;

import akka.Done;
import detour.persistence.breaker.BreakerScope;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest state of every breaker, for the request path. Breakers publish (in a cluster, through
 * the replication that brings every owner's states to every node), anyone reads: a read is one
 * lock-free map lookup, costs no message and never waits for an actor. Each state carries the
 * breaker's journal sequence number, and an older one never replaces a newer.
 */
public final class BreakerView implements BreakerPublisher {
  private final ConcurrentHashMap<String, VersionedState> states = new ConcurrentHashMap<>();

  /** A view that nobody else reads: for a breaker tested on its own. */
  public static BreakerView detached() {
    return new BreakerView();
  }

  private static final CompletionStage<Done> DONE = CompletableFuture.completedFuture(Done.getInstance());

  /** Replaces the scope's state unless the one held is newer (a higher version); done at once. */
  @Override
  public CompletionStage<Done> publish(BreakerScope scope, BreakerState state, long version) {
    var offered = new VersionedState(state, version);
    states.merge(scope.key(), offered, (held, fresh) -> held.version() > fresh.version() ? held : fresh);
    return DONE;
  }

  /** Sets a state whatever was held, with version 0: for tests of the request path. */
  public void publish(BreakerScope scope, BreakerState state) {
    states.put(scope.key(), new VersionedState(state, 0));
  }

  /**
   * The provider's last published state. A provider whose breaker has not yet recovered reads as
   * closed; the router serves nothing until every breaker has published (see {@link #knows}).
   */
  public BreakerState stateOf(String provider) {
    VersionedState held = states.get(provider);
    return held == null ? BreakerState.CLOSED : held.state();
  }

  /** The version of the scope's state held here; -1 when none has been published. */
  public long versionOf(String scopeKey) {
    VersionedState held = states.get(scopeKey);
    return held == null ? -1 : held.version();
  }

  public boolean knows(String provider) {
    return states.containsKey(provider);
  }

  /** Every breaker's state, sorted by provider, for health pages and tests. */
  public Map<String, BreakerState> snapshot() {
    Map<String, BreakerState> sorted = new TreeMap<>();
    states.forEach((key, held) -> sorted.put(key, held.state()));
    return sorted;
  }
}
