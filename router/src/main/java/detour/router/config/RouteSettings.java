package detour.router.config;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One traffic class: the models to try, in order, and the time the whole request may take.
 *
 * @param name the route's name, which callers put in the request's {@code model}
 * @param chain catalogue model ids: the primary first, then its fallbacks
 * @param deadline the whole request's budget, every attempt included
 * @param lastResort when every candidate's circuit is open, try the one whose cooldown ends first
 *     rather than fail at once ({@code when-all-open = try-soonest})
 * @param hedge when to start the next candidate beside a slow first attempt
 * @param guardrails the rules every candidate of the chain must pass to be tried
 */
public record RouteSettings(String name, List<String> chain, Duration deadline, boolean lastResort,
    HedgePolicy hedge, Guardrails guardrails) {
  public RouteSettings {
    chain = List.copyOf(chain);
  }

  /** A route that does not hedge and has no guardrails. */
  public RouteSettings(String name, List<String> chain, Duration deadline, boolean lastResort) {
    this(name, chain, deadline, lastResort, HedgePolicy.NONE, Guardrails.NONE);
  }

  /** Reads a route's block (already falling back to {@code route-defaults}) at {@code path}. */
  static RouteSettings from(String name, Config c, String path) {
    String whenAllOpen = c.getString("when-all-open");
    if (!whenAllOpen.equals("try-soonest") && !whenAllOpen.equals("fail")) {
      throw new IllegalArgumentException("when-all-open must be try-soonest or fail, got '" + whenAllOpen + "'");
    }
    return new RouteSettings(name, c.getStringList("chain"), c.getDuration("deadline"),
        whenAllOpen.equals("try-soonest"), HedgePolicy.from(c, "hedge-after"),
        Guardrails.from(c.getConfig("guardrails"), path + ".guardrails"));
  }
}
