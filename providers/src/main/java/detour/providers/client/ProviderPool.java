package detour.providers.client;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.settings.ConnectionPoolSettings;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * The connection pool of one provider. Akka HTTP's defaults suit a browser more than an LLM
 * router (4 connections per host, a 1 s entity subscription timeout), so each provider sets its own
 * from {@link ProviderSettings}; the rest comes from {@code akka.http.host-connection-pool}.
 */
public final class ProviderPool {
  private ProviderPool() {}

  public static ConnectionPoolSettings settingsFor(ProviderSettings provider, ActorSystem<?> system) {
    Config own = ConfigFactory.parseString(String.join("\n",
        "akka.http.host-connection-pool {",
        "  max-connections = " + provider.maxConnections(),
        "  max-open-requests = " + provider.maxOpenRequests(),
        "  client.connecting-timeout = " + provider.connectTimeout().toMillis() + "ms",
        // A hung upstream sends nothing: closing its connection after the attempt's whole budget
        // frees the pool slot the coordinator has already given up on.
        "  client.idle-timeout = " + provider.attemptTimeout().toMillis() + "ms",
        // After a refused connection Akka's pool holds every request back while it backs off
        // (100 ms doubling to 2 min), so a dead provider's requests would wait instead of failing
        // over. The breaker is what protects a recovering provider here: retry at once.
        "  base-connection-backoff = 1ms",
        "  max-connection-backoff = 10ms",
        "}"));
    return ConnectionPoolSettings.create(own.withFallback(system.settings().config()));
  }
}
