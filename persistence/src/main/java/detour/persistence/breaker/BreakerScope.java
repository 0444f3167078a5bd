package detour.persistence.breaker;

import java.util.Objects;

/**
 * What one breaker guards: a whole provider, or one of its models. Failures blamed on the provider
 * (refused connections, DNS, TLS, our key) count against the provider's breaker; those blamed on a
 * model (its rate limit, its 5xx, its timeouts) against that model's, so one model's trouble does
 * not take the provider's other models out of rotation.
 *
 * @param provider the provider's name in the configuration, e.g. {@code openai}
 * @param model the upstream model's name, or empty for the whole provider
 */
public record BreakerScope(String provider, String model) {
  public BreakerScope {
    Objects.requireNonNull(provider, "provider");
    model = model == null ? "" : model;
    if (provider.isBlank()) throw new IllegalArgumentException("a breaker scope needs a provider name");
    if (provider.contains("/")) throw new IllegalArgumentException("a provider name may not contain '/': " + provider);
  }

  public static BreakerScope provider(String provider) {
    return new BreakerScope(provider, "");
  }

  public static BreakerScope model(String provider, String model) {
    if (model == null || model.isBlank()) throw new IllegalArgumentException("a model scope needs a model name");
    return new BreakerScope(provider, model);
  }

  /** The scope a {@link #key()} names: the first '/' separates provider and model. */
  public static BreakerScope ofKey(String key) {
    int slash = key.indexOf('/');
    return slash < 0 ? provider(key) : model(key.substring(0, slash), key.substring(slash + 1));
  }

  public boolean providerWide() {
    return model.isEmpty();
  }

  /**
   * The breaker's name: {@code openai} for a provider, {@code openai/gpt-4o-mini} for a model (the
   * first '/' separates them; model names may hold more). Part of the persistence id: stable.
   */
  public String key() {
    return providerWide() ? provider : provider + "/" + model;
  }
}
