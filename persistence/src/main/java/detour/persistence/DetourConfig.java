package detour.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;

/**
 * Loads a Detour process's configuration, in layers, first wins: system properties, the caller's
 * overrides, the application's file ({@code -Dconfig.file}), the chosen journal's settings
 * ({@code detour-journal-postgres.conf} when {@code detour.journal.kind = postgres}), every
 * {@code detour-defaults.conf} (Detour's choices for the libraries it uses), every
 * {@code reference.conf}.
 *
 * <p>Why not put Detour's choices for Akka in {@code reference.conf}: the one-jar build concatenates
 * every library's reference.conf in an order we do not control, and a later
 * {@code use-shared-db = null} or {@code request-timeout = 20 s} would silently undo ours. The
 * layers are resolved together, so the application may override a value that another one refers
 * to (such as {@code detour.journal.h2-file} in the journal's URL).
 */
public final class DetourConfig {
  private DetourConfig() {}

  public static Config load() {
    return load(ConfigFactory.empty());
  }

  public static Config load(Config overrides) {
    Config above = ConfigFactory.defaultOverrides().withFallback(overrides).withFallback(ConfigFactory.defaultApplication());
    Config below = ConfigFactory.parseResourcesAnySyntax("detour-defaults")
        .withFallback(ConfigFactory.defaultReferenceUnresolved());
    String journal = above.withFallback(below).resolve().getString("detour.journal.kind");
    Config journalLayer = switch (journal) {
      case "h2" -> ConfigFactory.empty();
      case "postgres" -> ConfigFactory.parseResourcesAnySyntax("detour-journal-postgres");
      default -> throw new ConfigException.BadValue(above.origin(), "detour.journal.kind",
          "must be h2 or postgres, got '" + journal + "'");
    };
    return above.withFallback(journalLayer).withFallback(below).resolve();
  }
}
