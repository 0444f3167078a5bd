package detour.router.config;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;

/**
 * One traffic class: the models to try, in order, and the time the whole request may take.
 *
 * @param name the route's name, which callers put in the request's {@code model}
 * @param chain catalogue model ids: the primary first, then its fallbacks
 * @param deadline the whole request's budget, every attempt included
 */
public record RouteSettings(String name, List<String> chain, Duration deadline) {
  public RouteSettings {
    chain = List.copyOf(chain);
  }

  static RouteSettings from(String name, Config c) {
    return new RouteSettings(name, c.getStringList("chain"), c.getDuration("deadline"));
  }
}
