package detour.router.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.Set;
import java.util.TreeSet;

/**
 * Refuses keys Detour does not know, so that a typo ({@code cooldwon = 60s}) stops the node
 * naming the key, instead of silently leaving the default in force.
 */
final class KnownKeys {
  private KnownKeys() {}

  /** Every leaf path of {@code block} must be one of {@code known}'s (or lie under {@code openEnded}). */
  static void check(Config block, String path, Config known, Set<String> alsoAllowed, Set<String> openEnded) {
    Set<String> allowed = new TreeSet<>(alsoAllowed);
    known.entrySet().forEach(entry -> allowed.add(entry.getKey()));
    for (var entry : block.entrySet()) {
      String key = entry.getKey();
      if (allowed.contains(key) || openEnded.stream().anyMatch(prefix -> key.startsWith(prefix + "."))) continue;
      throw new ConfigException.BadValue(entry.getValue().origin(), path + "." + key,
          "is not a key Detour knows here; known keys: " + String.join(", ", topLevel(allowed)));
    }
  }

  private static Set<String> topLevel(Set<String> paths) {
    Set<String> top = new TreeSet<>();
    for (String p : paths) top.add(p.contains(".") ? p.substring(0, p.indexOf('.')) + ".*" : p);
    return top;
  }
}
