package detour.persistence.audit;

import detour.persistence.breaker.BreakerEvent;
import detour.persistence.breaker.BreakerEvent.Drained;
import detour.persistence.breaker.BreakerEvent.ForcedClosed;
import detour.persistence.breaker.BreakerEvent.ForcedOpen;
import detour.persistence.breaker.BreakerEvent.Overridden;
import detour.persistence.breaker.BreakerEvent.ProbingStarted;
import detour.persistence.breaker.BreakerEvent.RampAdvanced;
import detour.persistence.breaker.BreakerEvent.Recovered;
import detour.persistence.breaker.BreakerEvent.Reset;
import detour.persistence.breaker.BreakerEvent.Tripped;
import detour.persistence.breaker.Evidence;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Turns one breaker's events, in journal order, into its incidents. An incident opens with a trip,
 * a forced open or a drain, and ends when the circuit is closed again: recovered, reset, or pinned
 * closed by an operator. Pure: the same events always give the same timeline.
 */
public final class IncidentTimeline {
  private IncidentTimeline() {}

  public static List<Incident> of(List<BreakerEvent> events) {
    List<Incident> incidents = new ArrayList<>();
    Draft draft = null;
    for (BreakerEvent event : events) {
      boolean opens = event instanceof Tripped || event instanceof ForcedOpen || event instanceof Drained;
      if (draft == null && opens) draft = new Draft(event);
      if (draft == null) continue;  // a move while closed that opens nothing (a reset, a pin)
      draft.add(event);
      if (event instanceof Recovered || event instanceof Reset || event instanceof ForcedClosed) {
        incidents.add(draft.close(event.at()));
        draft = null;
      }
    }
    if (draft != null) incidents.add(draft.close(null));
    return incidents;
  }

  /** Every incident of several breakers, in the order they opened. */
  public static List<Incident> ofAll(List<List<BreakerEvent>> perBreaker) {
    return perBreaker.stream().flatMap(events -> of(events).stream())
        .sorted(Comparator.comparing(Incident::openedAt).thenComparing(i -> i.scope().key()))
        .toList();
  }

  private static final class Draft {
    final BreakerEvent first;
    final List<Tripped> trips = new ArrayList<>();
    final List<RampAdvanced> stages = new ArrayList<>();
    final List<Overridden> overrides = new ArrayList<>();
    final List<BreakerEvent> events = new ArrayList<>();
    int probePhases;

    Draft(BreakerEvent first) {
      this.first = first;
    }

    void add(BreakerEvent event) {
      events.add(event);
      if (event instanceof Tripped t) trips.add(t);
      if (event instanceof ProbingStarted) probePhases++;
      if (event instanceof RampAdvanced r) stages.add(r);
      if (event instanceof Overridden o) overrides.add(o);
    }

    Incident close(Instant closedAt) {
      Optional<Evidence> cause = first instanceof Tripped t ? Optional.of(t.evidence()) : Optional.empty();
      return new Incident(first.scope(), first.at(), cause, trips, probePhases, stages, overrides,
          Optional.ofNullable(closedAt), events);
    }
  }
}
