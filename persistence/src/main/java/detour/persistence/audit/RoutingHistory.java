package detour.persistence.audit;

import detour.persistence.routing.Ending;
import detour.persistence.routing.ModelRef;
import detour.persistence.routing.RoutingEvent.Failover;
import detour.persistence.routing.RoutingEvent.IntervalRecorded;
import detour.persistence.routing.RoutingEvent.Outcome;
import detour.persistence.routing.RoutingEvent.Sample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The routing record, folded as it is read (one interval at a time, nothing else kept) into what
 * the audit shows: each incident's failovers and failures, each route's requests by outcome, and,
 * for the HTML page, each scope's failover volume per interval. Only the intervals and routes the
 * filter admits are counted.
 */
public final class RoutingHistory {
  private final AuditFilter filter;
  private final Instant now;
  /** Incidents of models' and of providers' breakers, in the order they opened (a breaker's never overlap). */
  private final Map<ModelRef, List<Incident>> incidentsByModel = new HashMap<>();
  private final Map<String, List<Incident>> incidentsByProvider = new HashMap<>();
  private final Map<Incident, IncidentRouting> perIncident = new IdentityHashMap<>();
  private final Map<String, Map<Ending, Long>> routes = new TreeMap<>();
  /** Per scope, per interval start (epoch ms): {end (epoch ms), failed over, failed entirely}; only for the HTML page. */
  private final Map<String, HashMap<Long, long[]>> volume = new HashMap<>();
  private final boolean withVolume;
  private long intervals;
  private long otherFailovers;
  private long otherOutcomes;
  private Instant first;
  private Instant last;

  /**
   * One interval's failover volume from a scope.
   *
   * @param start the interval's start
   * @param end its end
   * @param failedOver requests that passed the scope over and were answered by another model
   * @param failedEntirely requests that passed it over and that no model answered
   */
  public record Bar(Instant start, Instant end, long failedOver, long failedEntirely) {}

  /** @param incidents the incidents the audit shows (already filtered) */
  public RoutingHistory(List<Incident> incidents, AuditFilter filter, Instant now) {
    this(incidents, filter, now, true);
  }

  /**
   * @param incidents the incidents the audit shows (already filtered)
   * @param withVolume whether to keep each scope's failover volume per interval (the HTML page's
   *     bars); the text and JSON reports do without
   */
  public RoutingHistory(List<Incident> incidents, AuditFilter filter, Instant now, boolean withVolume) {
    this.filter = filter;
    this.now = now;
    this.withVolume = withVolume;
    for (Incident incident : incidents) {
      var scope = incident.scope();
      (scope.providerWide() ? incidentsByProvider.computeIfAbsent(scope.provider(), k -> new ArrayList<>())
          : incidentsByModel.computeIfAbsent(new ModelRef(scope.provider(), scope.model()), k -> new ArrayList<>()))
          .add(incident);
      perIncident.put(incident, new IncidentRouting());
    }
    incidentsByModel.values().forEach(list -> list.sort((a, b) -> a.openedAt().compareTo(b.openedAt())));
    incidentsByProvider.values().forEach(list -> list.sort((a, b) -> a.openedAt().compareTo(b.openedAt())));
  }

  /** No routing record read. */
  public static RoutingHistory none(List<Incident> incidents, Instant now) {
    return new RoutingHistory(incidents, AuditFilter.everything(), now, false);
  }

  /** Counts one interval; called once per journal row, one at a time, in any order (the result is the same). */
  public void add(IntervalRecorded interval) {
    if (!filter.admitsInterval(interval.start(), interval.end())) return;
    intervals++;
    if (first == null || interval.start().isBefore(first)) first = interval.start();
    if (last == null || interval.end().isAfter(last)) last = interval.end();
    otherFailovers += interval.otherFailovers();
    otherOutcomes += interval.otherOutcomes();
    for (Outcome outcome : interval.outcomes()) {
      if (!filter.admitsRoute(outcome.route())) continue;
      routes.computeIfAbsent(outcome.route(), r -> new TreeMap<>(Comparator.comparing(Ending::journalName)))
          .merge(outcome.outcome(), outcome.requests(), Long::sum);
    }
    for (Failover failover : interval.failovers()) {
      if (!filter.admitsRoute(failover.route())) continue;
      attribute(incidentsByModel.get(failover.from()), interval, failover);
      List<Incident> ofProvider = incidentsByProvider.get(failover.from().provider());
      attribute(ofProvider, interval, failover);
      if (withVolume) {
        bar(failover.from().key(), interval, failover);
        if (ofProvider != null) bar(failover.from().provider(), interval, failover);
      }
    }
  }

  private void attribute(List<Incident> incidents, IntervalRecorded interval, Failover failover) {
    if (incidents == null) return;
    // The last incident that opened before the interval ended, and any before it still open at its start.
    int lo = 0;
    int hi = incidents.size() - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (incidents.get(mid).openedAt().isBefore(interval.end())) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    for (int i = found; i >= 0; i--) {
      Incident incident = incidents.get(i);
      if (incident.closedAt().orElse(now).isBefore(interval.start())) break;
      IncidentRouting routing = perIncident.get(incident);
      if (failover.answered()) {
        routing.failedOver(failover.route(), failover.to().key(), failover.cause(), failover.requests());
      } else {
        routing.failedEntirely(failover.route(), failover.cause(), failover.requests());
      }
      for (Sample sample : interval.samples()) {
        if (sample.route().equals(failover.route()) && passed(sample, failover.from().provider())) {
          routing.sample(interval.start(), sample);
        }
      }
    }
  }

  /** Whether a sample's attempts include the provider (samples name catalogue models, not upstream ones). */
  private static boolean passed(Sample sample, String provider) {
    int n = provider.length();
    for (String attempt : sample.attempts()) {
      if (attempt.length() > n && attempt.charAt(n) == '/' && attempt.startsWith(provider)) return true;
    }
    return false;
  }

  private void bar(String scopeKey, IntervalRecorded interval, Failover failover) {
    long[] bar = volume.computeIfAbsent(scopeKey, k -> new HashMap<>())
        .computeIfAbsent(interval.start().toEpochMilli(), start -> new long[3]);
    bar[0] = Math.max(bar[0], interval.end().toEpochMilli());
    bar[failover.answered() ? 1 : 2] += failover.requests();
  }

  /** What the routing record says of an incident the audit shows (empty for any other). */
  public IncidentRouting of(Incident incident) {
    return perIncident.getOrDefault(incident, new IncidentRouting());
  }

  /** Requests recorded per route, by outcome ({@code answered}, {@code exhausted}, ...), in order of their names. */
  public Map<String, Map<Ending, Long>> routes() {
    return Collections.unmodifiableMap(routes);
  }

  /** Failover volume per interval from each scope (a model's, and a provider's with an incident). */
  public Map<String, List<Bar>> volume() {
    Map<String, List<Bar>> out = new TreeMap<>();
    volume.forEach((scope, bars) -> out.put(scope, new TreeMap<>(bars).entrySet().stream()
        .map(e -> new Bar(Instant.ofEpochMilli(e.getKey()), Instant.ofEpochMilli(e.getValue()[0]), e.getValue()[1],
            e.getValue()[2]))
        .toList()));
    return out;
  }

  /** Routing record intervals counted. */
  public long intervals() {
    return intervals;
  }

  public long otherFailovers() {
    return otherFailovers;
  }

  public long otherOutcomes() {
    return otherOutcomes;
  }

  /** The first counted interval's start, if any. */
  public java.util.Optional<Instant> first() {
    return java.util.Optional.ofNullable(first);
  }

  /** The last counted interval's end, if any. */
  public java.util.Optional<Instant> last() {
    return java.util.Optional.ofNullable(last);
  }

  public AuditFilter filter() {
    return filter;
  }
}
