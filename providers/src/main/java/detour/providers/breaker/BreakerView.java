package detour.providers.breaker;

import akka.Done;
import detour.persistence.breaker.BreakerScope;
import java.util.Comparator;
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
 *
 * <p>A node may also hold a circuit open on its own, for itself alone ({@link #holdOpenLocally}),
 * while the breaker's owner is unreachable: reads then report the hold, and the published state
 * stays underneath, untouched, to rule again once the hold is released. On a healthy node no hold
 * exists, and a read costs one more lookup in an empty map, which allocates nothing.
 */
public final class BreakerView implements BreakerPublisher {
  /** How its maps are sorted: by scope key, a provider's breaker just before its models'. */
  private static final Comparator<BreakerScope> BY_KEY = Comparator.comparing(BreakerScope::key);

  private final ConcurrentHashMap<BreakerScope, VersionedState> states = new ConcurrentHashMap<>();
  /** This node's own holds: never published, never journaled. */
  private final ConcurrentHashMap<BreakerScope, BreakerState> localHolds = new ConcurrentHashMap<>();

  /** A view that nobody else reads: for a breaker tested on its own. */
  public static BreakerView detached() {
    return new BreakerView();
  }

  private static final CompletionStage<Done> DONE = CompletableFuture.completedFuture(Done.getInstance());

  /** Replaces the scope's state unless the one held is newer (a higher version); done at once. */
  @Override
  public CompletionStage<Done> publish(BreakerScope scope, BreakerState state, long version) {
    var offered = new VersionedState(state, version);
    states.merge(scope, offered, (held, fresh) -> held.version() > fresh.version() ? held : fresh);
    return DONE;
  }

  /** Sets a state whatever was held, with version 0: for tests of the request path. */
  public void publish(BreakerScope scope, BreakerState state) {
    states.put(scope, new VersionedState(state, 0));
  }

  /**
   * Holds the scope's circuit open on this node alone, over whatever state is published, until
   * {@link #releaseLocal}: for while its owner is unreachable and this node's own evidence says the
   * provider is failing. Whoever holds it releases it; the view keeps no clock.
   *
   * @param open the circuit as this node judged it, open until its local cooldown ends
   */
  public void holdOpenLocally(BreakerScope scope, BreakerState open) {
    if (open.circuit() != BreakerState.Circuit.OPEN) {
      throw new IllegalArgumentException("a local hold is an open circuit, got " + open.circuit());
    }
    localHolds.put(scope, open);
  }

  /** Ends this node's own hold of the scope, if any: the published state rules again. */
  public void releaseLocal(BreakerScope scope) {
    localHolds.remove(scope);
  }

  /**
   * The scope's state as this node routes by it: its own hold if it holds one, else the last
   * published state. A scope whose breaker has not yet recovered reads as closed; the router
   * serves nothing until every breaker has published (see {@link #knows}).
   */
  public BreakerState stateOf(BreakerScope scope) {
    BreakerState local = localHolds.get(scope);
    return local != null ? local : publishedStateOf(scope);
  }

  /** The scope's last published state, whatever this node holds on its own; closed when none. */
  public BreakerState publishedStateOf(BreakerScope scope) {
    VersionedState held = states.get(scope);
    return held == null ? BreakerState.CLOSED : held.state();
  }

  /** The circuits this node holds open on its own evidence, sorted by scope key. */
  public Map<BreakerScope, BreakerState> localHolds() {
    Map<BreakerScope, BreakerState> sorted = new TreeMap<>(BY_KEY);
    sorted.putAll(localHolds);
    return sorted;
  }

  /** The version of the scope's state held here; -1 when none has been published. */
  public long versionOf(BreakerScope scope) {
    VersionedState held = states.get(scope);
    return held == null ? -1 : held.version();
  }

  public boolean knows(BreakerScope scope) {
    return states.containsKey(scope);
  }

  /** Every breaker's state as this node routes by it (holds included), sorted by scope key. */
  public Map<BreakerScope, BreakerState> snapshot() {
    Map<BreakerScope, BreakerState> sorted = new TreeMap<>(BY_KEY);
    states.forEach((scope, held) -> sorted.put(scope, held.state()));
    sorted.putAll(localHolds);
    return sorted;
  }
}
