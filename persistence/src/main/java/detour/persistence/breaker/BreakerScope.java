package detour.persistence.breaker;

import java.util.Objects;

/**
 * What one breaker guards: a whole provider today. Kept as its own type so that per-model scopes
 * (rate limits are often per model) can be added without changing the journal's shape.
 *
 * @param provider the provider's name in the configuration, e.g. {@code openai}
 */
public record BreakerScope(String provider) {
  public BreakerScope {
    Objects.requireNonNull(provider, "provider");
    if (provider.isBlank()) throw new IllegalArgumentException("a breaker scope needs a provider name");
  }

  public static BreakerScope provider(String provider) {
    return new BreakerScope(provider);
  }

  /** The entity id inside the persistence id {@code ProviderBreaker|<key>}: stable, never renamed. */
  public String key() {
    return provider;
  }
}
