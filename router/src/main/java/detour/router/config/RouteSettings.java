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
 */
public record RouteSettings(
    String name, List<String> chain, Duration deadline, boolean lastResort, Optional<Duration> hedgeAfter) {
  public RouteSettings {
    chain = List.copyOf(chain);
  }

  static RouteSettings from(String name, Config c) {
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
        whenAllOpen.equals("try-soonest"), hedgeAfter);
  }
}
