package detour.providers.client;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import detour.providers.breaker.BreakerSettings;
import detour.providers.model.Secret;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One provider's block of {@code detour.providers}, read once at start-up and validated.
 *
 * @param name the provider's name: the key of its block
 * @param protocol the wire protocol it speaks
 * @param baseUrl where its API lives, without the endpoint path (e.g. {@code https://api.openai.com/v1})
 * @param apiKey its key, from the environment; empty for upstreams that need none (local vLLM)
 * @param apiKeyRequired whether calls without a key are pointless: such a provider, left without its
 *     key, is skipped by every route with the reason in the trace
 * @param extraHeaders headers sent with every call (Azure's api-key, OpenRouter's referer), values
 *     held as secrets since some of them are
 * @param query query parameters added to every call's URL (Azure's api-version)
 * @param connectTimeout how long to wait for a TCP (and TLS) connection
 * @param attemptTimeout the longest one call may take, from sending to the last byte of the answer
 * @param firstTokenTimeout the longest a stream may take to send its first token
 * @param interTokenTimeout the longest a stream may stay silent after its first token
 * @param maxConnections connections kept open to it at most
 * @param maxOpenRequests requests in flight or queued for it at most (a power of two); beyond it,
 *     requests are shed to the next candidate at once
 * @param breaker its breaker's settings
 */
public record ProviderSettings(
    String name,
    Protocol protocol,
    URI baseUrl,
    Optional<Secret> apiKey,
    boolean apiKeyRequired,
    Map<String, Secret> extraHeaders,
    Map<String, String> query,
    Duration connectTimeout,
    Duration attemptTimeout,
    Duration firstTokenTimeout,
    Duration interTokenTimeout,
    int maxConnections,
    int maxOpenRequests,
    BreakerSettings breaker) {

  public ProviderSettings {
    extraHeaders = Map.copyOf(extraHeaders);
    query = Map.copyOf(new TreeMap<>(query));
    check(baseUrl.getScheme() != null && (baseUrl.getScheme().equals("http") || baseUrl.getScheme().equals("https")),
        "base-url must be an http or https URL, got '" + baseUrl + "'");
    check(baseUrl.getHost() != null, "base-url '" + baseUrl + "' has no host");
    check(!connectTimeout.isNegative() && !connectTimeout.isZero(), "connect-timeout must be positive");
    check(!attemptTimeout.isNegative() && !attemptTimeout.isZero(), "attempt-timeout must be positive");
    check(!firstTokenTimeout.isNegative() && !firstTokenTimeout.isZero(), "first-token-timeout must be positive");
    check(!interTokenTimeout.isNegative() && !interTokenTimeout.isZero(), "inter-token-timeout must be positive");
    check(maxConnections > 0, "max-connections must be at least 1, got " + maxConnections);
    check(maxOpenRequests > 0 && Integer.bitCount(maxOpenRequests) == 1,
        "max-open-requests must be a power of two, got " + maxOpenRequests);
    check(breaker.probeLease().compareTo(attemptTimeout) >= 0, "breaker.probe-lease (" + breaker.probeLease()
        + ") must be at least attempt-timeout (" + attemptTimeout + "), or a slow probe's permit is handed out twice");
  }

  /**
   * Reads {@code detour.providers.<name>}, each missing key taken from {@code defaults}
   * ({@code detour.provider-defaults}); the breaker block falls back to {@code breakerDefaults}.
   */
  public static ProviderSettings from(String name, Config block, Config defaults, Config breakerDefaults) {
    Config c = block.withFallback(defaults);
    String path = "detour.providers." + name;
    try {
      Optional<Secret> key = c.hasPath("api-key") && !c.getString("api-key").isBlank()
          ? Optional.of(Secret.of(c.getString("api-key")))
          : Optional.empty();
      Config breaker = c.hasPath("breaker") ? c.getConfig("breaker").withFallback(breakerDefaults) : breakerDefaults;
      return new ProviderSettings(
          name,
          Protocol.fromConfig(c.getString("protocol")),
          URI.create(stripTrailingSlash(c.getString("base-url"))),
          key,
          c.getBoolean("api-key-required"),
          headers(c),
          query(c),
          c.getDuration("connect-timeout"),
          c.getDuration("attempt-timeout"),
          c.getDuration("first-token-timeout"),
          c.getDuration("inter-token-timeout"),
          c.getInt("max-connections"),
          c.getInt("max-open-requests"),
          BreakerSettings.from(breaker, path + ".breaker"));
    } catch (IllegalArgumentException bad) {
      throw new ConfigException.BadValue(block.origin(), path, bad.getMessage());
    }
  }

  /** Why this provider cannot be called at all, if so. */
  public Optional<String> unusable() {
    return apiKeyRequired && apiKey.isEmpty()
        ? Optional.of("provider '" + name + "' has no api-key configured")
        : Optional.empty();
  }

  /** The URL of an endpoint: the base URL, the protocol's path, then the configured query. */
  public String endpoint(String path) {
    if (query.isEmpty()) return baseUrl + path;
    StringBuilder url = new StringBuilder(baseUrl.toString()).append(path).append(path.contains("?") ? '&' : '?');
    query.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> url
        .append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
        .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).append('&'));
    return url.substring(0, url.length() - 1);
  }

  private static Map<String, String> query(Config c) {
    if (!c.hasPath("query")) return Map.of();
    Map<String, String> query = new TreeMap<>();
    for (var entry : c.getConfig("query").root().unwrapped().entrySet()) {
      query.put(entry.getKey(), String.valueOf(entry.getValue()));
    }
    return query;
  }

  private static Map<String, Secret> headers(Config c) {
    if (!c.hasPath("headers")) return Map.of();
    Map<String, Secret> headers = new TreeMap<>();
    for (var entry : c.getConfig("headers").root().unwrapped().entrySet()) {
      headers.put(entry.getKey(), Secret.of(String.valueOf(entry.getValue())));
    }
    return headers;
  }

  private static String stripTrailingSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private static void check(boolean ok, String message) {
    if (!ok) throw new IllegalArgumentException(message);
  }
}
