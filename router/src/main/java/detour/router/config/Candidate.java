package detour.router.config;

import detour.providers.client.ProviderSettings;
import java.util.Optional;

/**
 * One model of a request's plan, with its provider.
 *
 * @param model the catalogue entry
 * @param provider the provider that serves it
 * @param unusable why it cannot be tried whatever the breakers say (no key configured), if so
 */
public record Candidate(CatalogueModel model, ProviderSettings provider, Optional<String> unusable) {
  public String providerName() {
    return provider.name();
  }
}
