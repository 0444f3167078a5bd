package detour.persistence.audit;

import java.time.Instant;
import java.util.Optional;

/**
 * Which incidents an audit shows: those of a provider, and those that overlap a time range.
 *
 * @param provider only this provider's breakers (its own and its models'), if given
 * @param from only incidents still open at or after this moment, if given
 * @param to only incidents opened at or before this moment, if given
 */
public record AuditFilter(Optional<String> provider, Optional<Instant> from, Optional<Instant> to) {
  public static AuditFilter everything() {
    return new AuditFilter(Optional.empty(), Optional.empty(), Optional.empty());
  }

  public boolean admits(Incident incident) {
    if (provider.isPresent() && !provider.get().equals(incident.scope().provider())) return false;
    if (to.isPresent() && incident.openedAt().isAfter(to.get())) return false;
    return from.isEmpty() || incident.closedAt().map(closed -> !closed.isBefore(from.get())).orElse(true);
  }
}
