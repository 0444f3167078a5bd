package detour.router.config;

import detour.persistence.breaker.BreakerScope;
import detour.providers.client.ProviderSettings;
import java.util.Optional;

/**
 * One model of a request's plan, with its provider.
 *
 * @param model the catalogue entry
 * @param provider the provider that serves it
 * @param unusable why it cannot be tried whatever the breakers say (no key configured, or a
 *     catalogue rule of the route), if so
 */
public record Candidate(CatalogueModel model, ProviderSettings provider, Optional<Unusable> unusable) {
  public String providerName() {
    return provider.name();
  }

  /** The breaker that guards the whole provider. */
  public BreakerScope providerScope() {
    return BreakerScope.provider(provider.name());
  }

  /** The breaker that guards this model on its provider. */
  public BreakerScope modelScope() {
    return BreakerScope.model(provider.name(), model.upstreamModel());
  }
}
