package detour.router.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.EnumSet;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * One model a route may use: which provider serves it and under which upstream name.
 *
 * @param id the catalogue id callers and routes use, e.g. {@code gpt-4o-mini}
 * @param provider the provider block that serves it
 * @param upstreamModel the name the provider knows it by, sent as the request's {@code model}
 * @param contextWindow its context window in tokens
 * @param capabilities what it can do beyond plain text chat; a request needing more skips it
 * @param family its lineage ({@code gpt}, {@code claude}, {@code gemini}, {@code llama}), for a
 *     route's {@code guardrails.families}
 * @param tier its quality tier, 1 or more, higher is better, for a route's {@code guardrails.min-tier}
 * @param price its list price, for a route's cost guardrails
 */
public record CatalogueModel(
    String id,
    String provider,
    String upstreamModel,
    int contextWindow,
    Set<Capability> capabilities,
    Optional<String> family,
    OptionalInt tier,
    Optional<Price> price) {

  public CatalogueModel {
    capabilities = capabilities.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(capabilities));
  }

  /** A model the catalogue says nothing more of: no family, tier or price. */
  public CatalogueModel(String id, String provider, String upstreamModel, int contextWindow, Set<Capability> capabilities) {
    this(id, provider, upstreamModel, contextWindow, capabilities, Optional.empty(), OptionalInt.empty(), Optional.empty());
  }

  /** A model that can do everything: the default when the catalogue does not say. */
  public CatalogueModel(String id, String provider, String upstreamModel, int contextWindow) {
    this(id, provider, upstreamModel, contextWindow, EnumSet.allOf(Capability.class));
  }

  /** The same model with a family, a tier and a price (each may be empty). */
  public CatalogueModel described(Optional<String> family, OptionalInt tier, Optional<Price> price) {
    return new CatalogueModel(id, provider, upstreamModel, contextWindow, capabilities, family, tier, price);
  }

  /** Reads the catalogue block at {@code path}; a bad family, tier or price names its key. */
  static CatalogueModel from(String id, Config c, String path) {
    Set<Capability> capabilities = EnumSet.allOf(Capability.class);
    if (c.hasPath("capabilities")) {
      capabilities = EnumSet.noneOf(Capability.class);
      for (String name : c.getStringList("capabilities")) capabilities.add(Capability.fromConfig(name));
    }
    Optional<String> family = Optional.empty();
    if (c.hasPath("family")) {
      family = Optional.of(c.getString("family").trim());
      if (family.get().isEmpty()) throw new ConfigException.BadValue(c.origin(), path + ".family", "must not be blank");
    }
    OptionalInt tier = OptionalInt.empty();
    if (c.hasPath("tier")) {
      tier = OptionalInt.of(c.getInt("tier"));
      if (tier.getAsInt() < 1) {
        throw new ConfigException.BadValue(c.origin(), path + ".tier",
            "must be a whole number of at least 1 (higher is better), got " + tier.getAsInt());
      }
    }
    Optional<Price> price = Optional.empty();
    if (c.hasPath("price")) {
      double input = priceOf(c, "price.input-per-mtok", path);
      double output = priceOf(c, "price.output-per-mtok", path);
      price = Optional.of(new Price(input, output));
    }
    return new CatalogueModel(
        id,
        c.getString("provider"),
        c.hasPath("upstream-model") ? c.getString("upstream-model") : id,
        c.getInt("context-window"),
        capabilities,
        family,
        tier,
        price);
  }

  private static double priceOf(Config c, String key, String path) {
    if (!c.hasPath(key)) {
      throw new ConfigException.BadValue(c.origin(), path + "." + key,
          "is missing: a price needs both input-per-mtok and output-per-mtok (US dollars per million tokens)");
    }
    double value = c.getDouble(key);
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new ConfigException.BadValue(c.origin(), path + "." + key,
          "must be a price in US dollars per million tokens, 0 or more, got " + value);
    }
    return value;
  }

  /** What of {@code needs} this model lacks. */
  public Set<Capability> lacking(Set<Capability> needs) {
    Set<Capability> lacking = needs.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(needs);
    lacking.removeAll(capabilities);
    return lacking;
  }
}
