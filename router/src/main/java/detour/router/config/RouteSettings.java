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
 * @param hedgeAfter start the next candidate beside a first attempt this slow; empty: never
 * @param guardrails the rules every candidate of the chain must pass to be tried
 */
public record RouteSettings(String name, List<String> chain, Duration deadline, boolean lastResort,
    Optional<Duration> hedgeAfter, Guardrails guardrails) {
  public RouteSettings {
    chain = List.copyOf(chain);
  }

  /** A route that does not hedge and has no guardrails. */
  public RouteSettings(String name, List<String> chain, Duration deadline, boolean lastResort) {
    this(name, chain, deadline, lastResort, Optional.empty(), Guardrails.NONE);
  }

  /** Reads a route's block (already falling back to {@code route-defaults}) at {@code path}. */
  static RouteSettings from(String name, Config c, String path) {
    String whenAllOpen = c.getString("when-all-open");
    if (!whenAllOpen.equals("try-soonest") && !whenAllOpen.equals("fail")) {
      throw new IllegalArgumentException("when-all-open must be try-soonest or fail, got '" + whenAllOpen + "'");
    }
    Optional<Duration> hedgeAfter = c.getString("hedge-after").equals("off")
        ? Optional.empty() : Optional.of(c.getDuration("hedge-after"));
    if (hedgeAfter.isPresent() && (hedgeAfter.get().isZero() || hedgeAfter.get().isNegative())) {
      throw new IllegalArgumentException("hedge-after must be off or a positive duration, got " + hedgeAfter.get());
    }
    return new RouteSettings(name, c.getStringList("chain"), c.getDuration("deadline"),
        whenAllOpen.equals("try-soonest"), hedgeAfter, Guardrails.from(c.getConfig("guardrails"), path + ".guardrails"));
  }
}
