package detour.router.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import detour.router.config.CatalogueModel;
import detour.router.config.RouterSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The part of a node's configuration every node of a cluster must share, because a breaker runs on
 * one node with that node's settings and every node routes by its decisions: which providers there
 * are, each provider's breaker settings once {@code detour.breaker}'s defaults are applied, and the
 * upstream models that have a breaker of their own (one per catalogue model's provider and
 * upstream-model). Nothing else: URLs, keys, headers, timeouts of the HTTP client, routes and the
 * catalogue's other fields change how this node calls a provider or what it asks for, not what a
 * breaker decides, and nodes may differ in them (a key per node, a route tried on one node first).
 *
 * <p>Derived from the settings at start-up and added to the node's configuration under
 * {@value #PATH}, which {@link BreakerConfigCheck} asks Akka to send when the node joins. Every value
 * is a string in a canonical form ({@link detour.providers.breaker.BreakerSettings#canonical}), so that
 * {@code 30s} and {@code 30000ms} are alike and the comparison survives the wire. It holds no secret:
 * breaker settings, provider names and upstream model names.
 */
public final class BreakerFingerprint {
  /** Where the node's configuration holds it. */
  public static final String PATH = "detour-join-check.breakers";
  private static final String PROVIDERS = PATH + ".providers";
  private static final String SETTINGS = PATH + ".settings";
  private static final String MODELS = PATH + ".models";

  private BreakerFingerprint() {}

  /** The node's fingerprint, to put above its configuration: {@code of(settings).withFallback(config)}. */
  public static Config of(RouterSettings settings) {
    Map<String, Object> leaves = new HashMap<>();
    Map<String, Set<String>> models = new TreeMap<>();
    settings.providers().forEach((name, provider) -> {
      models.put(name, new TreeSet<>());
      provider.breaker().canonical().forEach((key, value) -> leaves.put(settingsPath(name) + "." + key, value));
    });
    for (CatalogueModel model : settings.models().values()) models.get(model.provider()).add(model.upstreamModel());
    leaves.put(PROVIDERS, List.copyOf(models.keySet()));
    models.forEach((name, upstream) -> leaves.put(modelsPath(name), List.copyOf(upstream)));
    return ConfigFactory.parseMap(leaves, "the breakers every node must configure alike (BreakerFingerprint)");
  }

  /** Whether a configuration holds a fingerprint at all (a node of a Detour without this check does not). */
  public static boolean isIn(Config config) {
    return config.hasPath(PROVIDERS);
  }

  /**
   * Where two fingerprints differ, as the keys an operator would change: each message names a
   * provider and a key path, never a value. Breaker scopes (provider/model) are named, since a
   * scope is what differs.
   *
   * @param here this node's configuration
   * @param there the other node's, or the part of it Akka sent: {@link #isIn} must hold for both
   * @param thereIs what to call the other node in the messages ("the cluster", "the joining node")
   */
  public static List<String> differences(Config here, Config there, String thereIs) {
    List<String> found = new ArrayList<>();
    Set<String> ours = new TreeSet<>(here.getStringList(PROVIDERS));
    Set<String> theirs = new TreeSet<>(there.getStringList(PROVIDERS));
    for (String name : union(ours, theirs)) {
      String block = "detour.providers." + name;
      if (!theirs.contains(name)) {
        found.add("provider '" + name + "' (" + block + ") is configured on this node but not in " + thereIs);
      } else if (!ours.contains(name)) {
        found.add("provider '" + name + "' (" + block + ") is configured in " + thereIs + " but not on this node");
      } else {
        found.addAll(settingsDifferences(name, block, here, there, thereIs));
        found.addAll(modelDifferences(name, here, there, thereIs));
      }
    }
    return found;
  }

  private static List<String> settingsDifferences(String name, String block, Config here, Config there, String thereIs) {
    Map<String, Object> ours = leaves(here, settingsPath(name));
    Map<String, Object> theirs = leaves(there, settingsPath(name));
    List<String> found = new ArrayList<>();
    for (String key : union(ours.keySet(), theirs.keySet())) {
      if (!Objects.equals(ours.get(key), theirs.get(key))) {
        found.add("provider '" + name + "': " + block + ".breaker." + key + " differs from " + thereIs
            + "'s (set there, or inherited from detour.breaker." + key + ")");
      }
    }
    return found;
  }

  private static List<String> modelDifferences(String name, Config here, Config there, String thereIs) {
    Set<String> ours = new TreeSet<>(here.hasPath(modelsPath(name)) ? here.getStringList(modelsPath(name)) : List.of());
    Set<String> theirs = new TreeSet<>(there.hasPath(modelsPath(name)) ? there.getStringList(modelsPath(name)) : List.of());
    if (ours.equals(theirs)) return List.of();
    List<String> onlyHere = ours.stream().filter(m -> !theirs.contains(m)).map(m -> name + "/" + m).toList();
    List<String> onlyThere = theirs.stream().filter(m -> !ours.contains(m)).map(m -> name + "/" + m).toList();
    List<String> sides = new ArrayList<>();
    if (!onlyHere.isEmpty()) sides.add("breakers " + onlyHere + " only on this node");
    if (!onlyThere.isEmpty()) sides.add("breakers " + onlyThere + " only in " + thereIs);
    return List.of("provider '" + name + "': the models with a breaker of their own differ (detour.models, provider = "
        + name + ", upstream-model): " + String.join(", ", sides));
  }

  /** Each leaf under a path, by its path below it (e.g. {@code active-probe.enabled}). */
  private static Map<String, Object> leaves(Config config, String path) {
    Map<String, Object> leaves = new TreeMap<>();
    if (!config.hasPath(path)) return leaves;
    for (Map.Entry<String, ConfigValue> e : config.getConfig(path).entrySet()) {
      leaves.put(e.getKey(), e.getValue().unwrapped());
    }
    return leaves;
  }

  private static String settingsPath(String provider) {
    return SETTINGS + "." + ConfigUtil.quoteString(provider);
  }

  private static String modelsPath(String provider) {
    return MODELS + "." + ConfigUtil.quoteString(provider);
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new TreeSet<>(a);
    all.addAll(b);
    return all;
  }
}
