package detour.router.config;

import com.typesafe.config.Config;
import java.util.EnumSet;
import java.util.Set;

/**
 * One model a route may use: which provider serves it and under which upstream name.
 *
 * @param id the catalogue id callers and routes use, e.g. {@code gpt-4o-mini}
 * @param provider the provider block that serves it
 * @param upstreamModel the name the provider knows it by, sent as the request's {@code model}
 * @param contextWindow its context window in tokens
 * @param capabilities what it can do beyond plain text chat; a request needing more skips it
 */
public record CatalogueModel(
    String id, String provider, String upstreamModel, int contextWindow, Set<Capability> capabilities) {

  public CatalogueModel {
    capabilities = capabilities.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(capabilities));
  }

  /** A model that can do everything: the default when the catalogue does not say. */
  public CatalogueModel(String id, String provider, String upstreamModel, int contextWindow) {
    this(id, provider, upstreamModel, contextWindow, EnumSet.allOf(Capability.class));
  }

  static CatalogueModel from(String id, Config c) {
    Set<Capability> capabilities = EnumSet.allOf(Capability.class);
    if (c.hasPath("capabilities")) {
      capabilities = EnumSet.noneOf(Capability.class);
      for (String name : c.getStringList("capabilities")) capabilities.add(Capability.fromConfig(name));
    }
    return new CatalogueModel(
        id,
        c.getString("provider"),
        c.hasPath("upstream-model") ? c.getString("upstream-model") : id,
        c.getInt("context-window"),
        capabilities);
  }

  /** What of {@code needs} this model lacks. */
  public Set<Capability> lacking(Set<Capability> needs) {
    Set<Capability> lacking = needs.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(needs);
    lacking.removeAll(capabilities);
    return lacking;
  }
}
