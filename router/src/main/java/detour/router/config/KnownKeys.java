package detour.router.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Refuses keys Detour does not know, so that a typo ({@code cooldwon = 60s}) stops the node
 * naming the key, instead of silently leaving the default in force. The message lists every key
 * the block takes.
 */
final class KnownKeys {
  private KnownKeys() {}

  /** Every leaf path of {@code block} must be one of {@code known}'s (or lie under {@code openEnded}). */
  static void check(Config block, String path, Config known, Set<String> alsoAllowed, Set<String> openEnded) {
    check(block, path, known, alsoAllowed, openEnded, Optional.empty());
  }

  /**
   * As {@link #check}, for one named entry of a map (a provider, a model, a route): a key that is
   * known once a prefix is cut off is the rest of a name with a dot in it, written unquoted
   * ({@code gemini-2.5-flash { ... }} is read as {@code "gemini-2" { "5-flash" { ... } }}), and the
   * message says to quote the name.
   */
  static void checkEntry(Config block, String map, String name, Config known, Set<String> alsoAllowed,
      Set<String> openEnded) {
    check(block, map + "." + name, known, alsoAllowed, openEnded, Optional.of(name));
  }

  /**
   * A key Detour had and no longer has stops the node with why it went and what to do instead, so
   * that an operator upgrading with an old config is not left with a bare "not a key Detour knows".
   */
  static void refuseRemoved(Config block, String path, String key, String why) {
    if (!block.hasPath(key)) return;
    throw new ConfigException.BadValue(block.getValue(key).origin(), path + "." + key, "is no longer a key: " + why);
  }

  /** The direct keys of {@code block} must be among {@code known}; what lies under them is checked elsewhere. */
  static void checkDirect(Config block, String path, Set<String> known) {
    for (var entry : block.root().entrySet()) {
      if (known.contains(entry.getKey())) continue;
      throw new ConfigException.BadValue(entry.getValue().origin(), path + "." + entry.getKey(),
          "is not a key Detour knows here; known keys: " + String.join(", ", new TreeSet<>(known)));
    }
  }

  private static void check(Config block, String path, Config known, Set<String> alsoAllowed, Set<String> openEnded,
      Optional<String> entryName) {
    Set<String> allowed = new TreeSet<>(alsoAllowed);
    known.entrySet().forEach(e -> allowed.add(e.getKey()));
    for (var e : block.entrySet()) {
      String key = e.getKey();
      if (isAllowed(key, allowed, openEnded)) continue;
      Set<String> listed = topLevel(allowed);
      openEnded.forEach(prefix -> listed.add(prefix + ".*"));
      String hint = entryName.flatMap(name -> dottedName(name, key, allowed, openEnded)).map(name -> "; '" + name
          + "' looks like one name with a dot in it, which HOCON splits at the dot unless it is quoted:"
          + " quote it, \"" + name + "\" { ... }").orElse("");
      throw new ConfigException.BadValue(e.getValue().origin(), path + "." + key,
          "is not a key Detour knows here; known keys: " + String.join(", ", listed) + hint);
    }
  }

  private static boolean isAllowed(String key, Set<String> allowed, Set<String> openEnded) {
    return allowed.contains(key) || openEnded.stream().anyMatch(prefix -> key.startsWith(prefix + "."));
  }

  /** The entry's name with the shortest prefix of {@code key} that leaves a known key, if there is one. */
  private static Optional<String> dottedName(String name, String key, Set<String> allowed, Set<String> openEnded) {
    for (int dot = key.indexOf('.'); dot > 0; dot = key.indexOf('.', dot + 1)) {
      if (isAllowed(key.substring(dot + 1), allowed, openEnded)) return Optional.of(name + "." + key.substring(0, dot));
    }
    return Optional.empty();
  }

  private static Set<String> topLevel(Set<String> paths) {
    Set<String> top = new TreeSet<>();
    for (String p : paths) top.add(p.contains(".") ? p.substring(0, p.indexOf('.')) + ".*" : p);
    return top;
  }
}
