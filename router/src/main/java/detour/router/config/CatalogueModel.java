package detour.router.config;

import com.typesafe.config.Config;

/**
 * One model a route may use: which provider serves it and under which upstream name.
 *
 * @param id the catalogue id callers and routes use, e.g. {@code gpt-4o-mini}
 * @param provider the provider block that serves it
 * @param upstreamModel the name the provider knows it by, sent as the request's {@code model}
 * @param contextWindow its context window in tokens (guardrails use it in a later step)
 */
public record CatalogueModel(String id, String provider, String upstreamModel, int contextWindow) {
  static CatalogueModel from(String id, Config c) {
    return new CatalogueModel(
        id,
        c.getString("provider"),
        c.hasPath("upstream-model") ? c.getString("upstream-model") : id,
        c.getInt("context-window"));
  }
}
