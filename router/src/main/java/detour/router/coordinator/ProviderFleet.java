package detour.router.coordinator;

import akka.actor.typed.ActorRef;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.TripReason;
import detour.providers.breaker.BreakerState;
import detour.providers.breaker.BreakerView;
import detour.providers.breaker.ProviderBreaker;
import detour.providers.breaker.RampAdmission;
import detour.providers.client.ProviderClient;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every coordinator shares: each provider's client, every breaker (one per provider and one
 * per model, by scope), the view of their states, each model's recent latencies, and the
 * node's routing record. Immutable after start-up, except the ramp counters and the latencies, and
 * safe to use from any thread.
 */
public final class ProviderFleet {
  private final Map<String, ProviderClient> clients;
  private final Map<BreakerScope, ActorRef<ProviderBreaker.Command>> breakers;
  private final BreakerView view;
  /** Each provider's model scopes, by provider name. */
  private final Map<String, List<BreakerScope>> modelScopes;
  private final ConcurrentHashMap<BreakerScope, AtomicLong> rampCounters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<BreakerScope, LatencyStats> latencies = new ConcurrentHashMap<>();
  private final InstantSource clock;
  private final RoutingRecord routingRecord;

  /** A fleet that records no routing: for tests of the request path. */
  public ProviderFleet(
      Map<String, ProviderClient> clients,
      Map<BreakerScope, ActorRef<ProviderBreaker.Command>> breakers,
      BreakerView view) {
    this(clients, breakers, view, InstantSource.system(), RoutingRecord.off());
  }

  /**
   * @param clock stamps the latencies, which count only while recent
   * @param routingRecord where outcomes that failed over or failed go
   */
  public ProviderFleet(
      Map<String, ProviderClient> clients,
      Map<BreakerScope, ActorRef<ProviderBreaker.Command>> breakers,
      BreakerView view,
      InstantSource clock,
      RoutingRecord routingRecord) {
    this.clock = clock;
    this.routingRecord = routingRecord;
    breakers.keySet().forEach(scope -> latencies.put(scope, new LatencyStats(clock)));
    this.clients = Map.copyOf(clients);
    this.breakers = Map.copyOf(breakers);
    this.view = view;
    Map<String, List<BreakerScope>> models = new HashMap<>();
    for (BreakerScope scope : breakers.keySet()) {
      if (!scope.providerWide()) models.computeIfAbsent(scope.provider(), p -> new ArrayList<>()).add(scope);
    }
    this.modelScopes = Map.copyOf(models);
  }

  public ProviderClient client(String provider) {
    return clients.get(provider);
  }

  /** The breaker of a scope: a provider's or one of its models'. */
  public ActorRef<ProviderBreaker.Command> breaker(BreakerScope scope) {
    return breakers.get(scope);
  }

  public BreakerState state(BreakerScope scope) {
    return view.stateOf(scope);
  }

  /**
   * The circuits of a provider's models that opened on faults (not on their own rate limits, nor by
   * an operator's hand). Two or more at once is a fault across the provider, and the coordinator
   * treats the whole provider as open.
   */
  public List<BreakerState> faultyModels(String provider) {
    List<BreakerState> open = new ArrayList<>();
    for (BreakerScope scope : modelScopes.getOrDefault(provider, List.of())) {
      BreakerState state = view.stateOf(scope);
      if (state.circuit() == BreakerState.Circuit.OPEN && state.cause() != null
          && state.cause() != TripReason.RATE_LIMITS) {
        open.add(state);
      }
    }
    return open;
  }

  /** Whether this request is one of the {@code share} of a recovering circuit's traffic ({@link RampAdmission}). */
  public boolean admitWhileRamping(BreakerScope scope, double share) {
    return RampAdmission.admits(rampCounters.computeIfAbsent(scope, p -> new AtomicLong()).getAndIncrement(), share);
  }

  /**
   * The recent latencies of a scope's successful attempts (a model's): the coordinator records
   * each success's, a latency guardrail reads them. Every breaker's scope has one from the start,
   * so that finding it takes no lock.
   */
  public LatencyStats latency(BreakerScope scope) {
    LatencyStats stats = latencies.get(scope);
    return stats != null ? stats : latencies.computeIfAbsent(scope, key -> new LatencyStats(clock));
  }

  /** Where each request's outcome goes when it failed over or failed entirely. */
  public RoutingRecord routingRecord() {
    return routingRecord;
  }

  public BreakerView view() {
    return view;
  }

  public Map<BreakerScope, ActorRef<ProviderBreaker.Command>> breakers() {
    return breakers;
  }
}
