package detour.router.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import detour.providers.client.ProviderSettings;
import detour.providers.model.Secret;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the router reads from {@code detour}, checked as a whole: a route naming an unknown
 * model, or a model naming an unknown provider, stops the node before it serves.
 *
 * @param host the interface the HTTP API binds to
 * @param port its port; 0 picks a free one
 * @param providers provider blocks by name
 * @param models the catalogue by id
 * @param routes routes by name
 * @param defaultDeadline the deadline of a request that names a catalogue model directly
 * @param adminToken the admin API's bearer token; the admin API is off without one
 * @param maxInFlight chat requests in progress at most, open streams included; beyond, 503
 * @param headerReadTimeout how long a request's head may take to arrive, from its first byte
 * @param nodeName this node's name in the journal ({@code detour.node-name}, else the host name)
 * @param journal the routing record and the journal's retention
 * @param cluster how the node forms its cluster and reports to the breakers' owners
 */
public record RouterSettings(
    String host,
    int port,
    Map<String, ProviderSettings> providers,
    Map<String, CatalogueModel> models,
    Map<String, RouteSettings> routes,
    Duration defaultDeadline,
    Optional<Secret> adminToken,
    int maxInFlight,
    Duration headerReadTimeout,
    String nodeName,
    JournalSettings journal,
    ClusterSettings cluster) {

  public RouterSettings {
    providers = Map.copyOf(providers);
    models = Map.copyOf(models);
    routes = Map.copyOf(routes);
  }

  /** Reads and cross-checks {@code detour.*} of a resolved configuration. */
  public static RouterSettings from(Config config) {
    Config detour = config.getConfig("detour");
    Config providerDefaults = detour.getConfig("provider-defaults");
    Config breakerDefaults = detour.getConfig("breaker");
    Config routeDefaults = detour.getConfig("route-defaults");
    Duration serverRequestTimeout = config.getDuration("akka.http.server.request-timeout");

    // What Detour knows is what its reference.conf files declare; the application may only override.
    Config shipped = com.typesafe.config.ConfigFactory.defaultReference().getConfig("detour");
    // The blocks under detour are each checked below; here only that each is one Detour has.
    KnownKeys.checkDirect(detour, "detour", shipped.root().keySet());
    Config knownBreaker = shipped.getConfig("breaker");
    Config knownProvider = shipped.getConfig("provider-defaults").withoutPath("headers").withoutPath("query");
    KnownKeys.check(breakerDefaults, "detour.breaker", knownBreaker, Set.of(), Set.of());
    KnownKeys.check(providerDefaults, "detour.provider-defaults", knownProvider, Set.of("api-key"), Set.of("headers", "query"));
    KnownKeys.check(routeDefaults, "detour.route-defaults", shipped.getConfig("route-defaults"), Set.of(), Set.of());
    // Read once on their own, so that a bad default is named where it is written.
    Guardrails.from(routeDefaults.getConfig("guardrails"), "detour.route-defaults.guardrails");
    KnownKeys.check(detour.getConfig("journal"), "detour.journal", shipped.getConfig("journal"), Set.of(), Set.of());
    KnownKeys.check(detour.getConfig("cluster"), "detour.cluster", shipped.getConfig("cluster"), Set.of(), Set.of());
    Map<String, ProviderSettings> providers = new LinkedHashMap<>();
    for (String name : keys(detour, "providers")) {
      Config block = detour.getConfig("providers." + quoted(name));
      String path = "detour.providers." + name;
      // A block's own breaker keys and headers are checked against their own sets.
      KnownKeys.checkEntry(block, "detour.providers", name, knownProvider, Set.of("api-key", "base-url"),
          Set.of("breaker", "headers", "query"));
      if (block.hasPath("breaker")) {
        KnownKeys.check(block.getConfig("breaker"), path + ".breaker", knownBreaker, Set.of(), Set.of());
      }
      providers.put(name, ProviderSettings.from(name, block, providerDefaults, breakerDefaults));
    }
    Map<String, CatalogueModel> models = new LinkedHashMap<>();
    for (String id : keys(detour, "models")) {
      Config block = detour.getConfig("models." + quoted(id));
      KnownKeys.checkEntry(block, "detour.models", id, com.typesafe.config.ConfigFactory.empty(),
          Set.of("provider", "upstream-model", "context-window", "capabilities", "family", "tier",
              "price.input-per-mtok", "price.output-per-mtok"), Set.of());
      CatalogueModel model = read(block, "detour.models." + id, () -> CatalogueModel.from(id, block, "detour.models." + id));
      require(providers.containsKey(model.provider()), block, "detour.models." + id + ".provider",
          "names provider '" + model.provider() + "', which is not under detour.providers");
      require(model.contextWindow() > 0, block, "detour.models." + id + ".context-window", "must be positive");
      models.put(id, model);
    }
    Map<String, RouteSettings> routes = new LinkedHashMap<>();
    for (String name : keys(detour, "routes")) {
      String path = "detour.routes." + name;
      KnownKeys.checkEntry(detour.getConfig("routes." + quoted(name)), "detour.routes", name,
          shipped.getConfig("route-defaults"),
          Set.of("chain"), Set.of());
      Config block = detour.getConfig("routes." + quoted(name)).withFallback(routeDefaults);
      RouteSettings route = read(block, path, () -> RouteSettings.from(name, block, path));
      require(!route.chain().isEmpty(), block, path + ".chain", "must name at least one model");
      Set<String> seen = new HashSet<>();
      for (String id : route.chain()) {
        require(models.containsKey(id), block, path + ".chain", "names model '" + id + "', which is not under detour.models");
        require(seen.add(id), block, path + ".chain", "names model '" + id + "' twice");
      }
      checkGuardrails(route, models, block, path);
      require(!models.containsKey(name), block, path,
          "has the same name as a catalogue model: callers could not tell them apart");
      require(!route.deadline().isNegative() && !route.deadline().isZero(), block, path + ".deadline", "must be positive");
      require(route.deadline().compareTo(serverRequestTimeout) < 0, block, path + ".deadline",
          "must be shorter than akka.http.server.request-timeout (" + serverRequestTimeout
              + "), or the server would cut the request before the route answers");
      routes.put(name, route);
    }
    Duration defaultDeadline = routeDefaults.getDuration("deadline");
    require(!defaultDeadline.isNegative() && !defaultDeadline.isZero()
        && defaultDeadline.compareTo(serverRequestTimeout) < 0, routeDefaults, "detour.route-defaults.deadline",
        "must be positive and shorter than akka.http.server.request-timeout (" + serverRequestTimeout + ")");
    Config http = detour.getConfig("http");
    KnownKeys.refuseRemoved(http, "detour.http", "load-shedding", "CPU load shedding was removed: the bound on "
        + "requests in progress (detour.http.max-in-flight) refused the excess first in every overload measured "
        + "(docs/benchmarks.md, \"Load shedding, before and after\"); delete the block, and size max-in-flight instead");
    KnownKeys.check(http, "detour.http", shipped.getConfig("http"), Set.of(), Set.of());
    KnownKeys.check(detour.getConfig("admin"), "detour.admin", shipped.getConfig("admin"), Set.of("token"), Set.of());
    Optional<Secret> adminToken = detour.hasPath("admin.token") && !detour.getString("admin.token").isBlank()
        ? Optional.of(Secret.of(detour.getString("admin.token")))
        : Optional.empty();
    // The token guards forcing circuits open across the fleet: refuse one that is easy to guess.
    require(adminToken.map(t -> t.reveal().length() >= 16).orElse(true), detour, "detour.admin.token",
        "must be at least 16 characters (DETOUR_ADMIN_TOKEN)");
    int maxInFlight = http.getInt("max-in-flight");
    require(maxInFlight > 0, http, "detour.http.max-in-flight", "must be at least 1, got " + maxInFlight);
    Duration headerReadTimeout = http.getDuration("header-read-timeout");
    require(!headerReadTimeout.isNegative() && !headerReadTimeout.isZero(), http, "detour.http.header-read-timeout",
        "must be positive, got " + headerReadTimeout);
    ContactPointDiscovery.check(config);
    String nodeName = detour.getString("node-name").strip();
    require(nodeName.isEmpty() || NODE_NAME.matcher(nodeName).matches(), detour, "detour.node-name",
        "may hold letters, digits, '.', '_' and '-' only, up to 64 (DETOUR_NODE_NAME)");
    return new RouterSettings(http.getString("host"), http.getInt("port"), providers, models, routes,
        defaultDeadline, adminToken, maxInFlight, headerReadTimeout, nodeName.isEmpty() ? hostName() : nodeName,
        JournalSettings.from(detour.getConfig("journal")), ClusterSettings.from(detour.getConfig("cluster"), config.getString("akka.actor.provider")));
  }

  private static final java.util.regex.Pattern NODE_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** The host's name made fit for a persistence id, or "local" when it cannot be read. */
  static String hostName() {
    String name = System.getenv("HOSTNAME");
    if (name == null || name.isBlank()) {
      try {
        name = java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.io.IOException unknown) {
        name = "";
      }
    }
    name = name.strip().replaceAll("[^A-Za-z0-9._-]", "-");
    if (name.length() > 64) name = name.substring(0, 64);
    return name.isEmpty() ? "local" : name;
  }

  /**
   * A route's guardrails must be able to pass something: every family it names is some catalogue
   * model's (a typo would refuse every model), and its primary passes the rules on the catalogue
   * (families, tier, price), so that the route's first choice is never skipped by its own rules.
   * Fallbacks that break them stay in the chain and are skipped with the reason.
   */
  private static void checkGuardrails(RouteSettings route, Map<String, CatalogueModel> models, Config block, String path) {
    Set<String> known = new java.util.TreeSet<>();
    models.values().forEach(m -> m.family().ifPresent(known::add));
    for (String family : route.guardrails().families()) {
      require(known.contains(family), block, path + ".guardrails.families", "names family '" + family
          + "', which no catalogue model has (families in the catalogue: "
          + (known.isEmpty() ? "none" : String.join(", ", known)) + ")");
    }
    String primary = route.chain().get(0);
    Optional<String> refused = route.guardrails().refuseModel(models.get(primary));
    require(refused.isEmpty(), block, path + ".guardrails",
        "refuses the route's own primary '" + primary + "': " + refused.orElse(""));
  }

  /** The direct keys of an object, e.g. each provider's name; quoted names with dots survive. */
  private static Set<String> keys(Config c, String path) {
    Set<String> names = new java.util.TreeSet<>();
    for (Map.Entry<String, ConfigValue> e : c.getObject(path).entrySet()) names.add(e.getKey());
    return names;
  }

  private static String quoted(String key) {
    return "\"" + key + "\"";
  }

  private static <T> T read(Config block, String path, java.util.function.Supplier<T> reader) {
    try {
      return reader.get();
    } catch (IllegalArgumentException bad) {
      throw new ConfigException.BadValue(block.origin(), path, bad.getMessage());
    }
  }

  private static void require(boolean ok, Config block, String path, String problem) {
    if (!ok) throw new ConfigException.BadValue(block.origin(), path, problem);
  }
}
