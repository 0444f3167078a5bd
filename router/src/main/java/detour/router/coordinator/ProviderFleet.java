package detour.router.coordinator;

import akka.actor.typed.ActorRef;
import detour.providers.breaker.BreakerState;
import detour.providers.breaker.BreakerView;
import detour.providers.breaker.ProviderBreaker;
import detour.providers.client.ProviderClient;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every coordinator shares: each provider's client and breaker, and the view of their states.
 * Immutable after start-up and safe to read from any thread.
 */
public final class ProviderFleet {
  private final Map<String, ProviderClient> clients;
  private final Map<String, ActorRef<ProviderBreaker.Command>> breakers;
  private final BreakerView view;
  private final ConcurrentHashMap<String, AtomicLong> rampCounters = new ConcurrentHashMap<>();

  public ProviderFleet(
      Map<String, ProviderClient> clients,
      Map<String, ActorRef<ProviderBreaker.Command>> breakers,
      BreakerView view) {
    this.clients = Map.copyOf(clients);
    this.breakers = Map.copyOf(breakers);
    this.view = view;
  }

  public ProviderClient client(String provider) {
    return clients.get(provider);
  }

  public ActorRef<ProviderBreaker.Command> breaker(String provider) {
    return breakers.get(provider);
  }

  public BreakerState state(String provider) {
    return view.stateOf(provider);
  }

  /**
   * Whether this request is one of the {@code share} of a recovering provider's traffic. Evenly
   * spaced rather than random: at 10 % exactly every tenth request goes, so a ramp stage gets its
   * share however little traffic there is, and tests can count on it.
   */
  public boolean admitWhileRamping(String provider, double share) {
    long n = rampCounters.computeIfAbsent(provider, p -> new AtomicLong()).getAndIncrement();
    return Math.floor((n + 1) * share) > Math.floor(n * share);
  }

  public BreakerView view() {
    return view;
  }

  public Map<String, ActorRef<ProviderBreaker.Command>> breakers() {
    return breakers;
  }
}
