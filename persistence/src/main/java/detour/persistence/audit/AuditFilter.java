package detour.persistence.audit;

import java.time.Instant;
import java.util.Optional;

/**
 * Which incidents an audit shows, and which routing it counts: a provider's incidents, those that
 * overlap a time range, and one route's failovers and failures.
 *
 * @param provider only this provider's breakers (its own and its models'), if given
 * @param from only incidents still open at or after this moment, and routing record intervals
 *     that end after it, if given
 * @param to only incidents opened at or before this moment, and intervals that start at or before
 *     it, if given
 * @param route only this route's failovers and failures in the routing figures, if given; the
 *     incidents are the breakers' and are all shown
 */
public record AuditFilter(Optional<String> provider, Optional<Instant> from, Optional<Instant> to,
    Optional<String> route) {

  public AuditFilter(Optional<String> provider, Optional<Instant> from, Optional<Instant> to) {
    this(provider, from, to, Optional.empty());
  }

  public static AuditFilter everything() {
    return new AuditFilter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
  }

  public boolean admits(Incident incident) {
    if (provider.isPresent() && !provider.get().equals(incident.scope().provider())) return false;
    if (to.isPresent() && incident.openedAt().isAfter(to.get())) return false;
    return from.isEmpty() || incident.closedAt().map(closed -> !closed.isBefore(from.get())).orElse(true);
  }

  /** Whether a routing record interval {@code [start, end)} lies in the time range. */
  public boolean admitsInterval(Instant start, Instant end) {
    if (from.isPresent() && !end.isAfter(from.get())) return false;
    return to.isEmpty() || !start.isAfter(to.get());
  }

  /** Whether a route's figures are counted. */
  public boolean admitsRoute(String name) {
    return route.isEmpty() || route.get().equals(name);
  }
}
