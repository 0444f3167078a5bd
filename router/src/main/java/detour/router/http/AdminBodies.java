package detour.router.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.persistence.audit.AuditReport;
import detour.providers.breaker.BreakerReport;
import detour.providers.breaker.BreakerState;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The admin API's own answers: the breaker listing, and a breaker's state after an action. */
final class AdminBodies {
  private AdminBodies() {}

  /** {@code GET /admin/breakers}: each breaker's report, or why it did not give one. */
  record Listing(List<Listed> breakers) {}

  /** One line of the listing. */
  sealed interface Listed permits Report, Unanswered {}

  /** A breaker that did not answer within the listing's patience. */
  record Unanswered(String breaker, String unavailable) implements Listed {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Report(
      String breaker,
      String provider,
      String model,
      State state,
      String override,
      Window window,
      @JsonProperty("last_trip") LastTrip lastTrip) implements Listed {

    static Report of(BreakerReport report, ObjectMapper json) {
      var w = report.window();
      Map<String, Integer> byKind = new LinkedHashMap<>();
      w.faultsByKind().forEach((kind, n) -> byKind.put(kind.name().toLowerCase(Locale.ROOT), n));
      return new Report(report.scope().key(), report.scope().provider(),
          report.scope().providerWide() ? null : report.scope().model(),
          State.of(report.state()),
          report.override().orElse(null),
          new Window(w.calls(), w.faults(), w.rateLimits(), w.slowCalls(), byKind),
          report.lastTrip().map(trip -> new LastTrip(trip.at().toString(), trip.until().toString(),
              AuditReport.evidence(json, trip.evidence()))).orElse(null));
    }
  }

  record Window(
      int calls,
      int faults,
      @JsonProperty("rate_limits") int rateLimits,
      @JsonProperty("slow_calls") int slowCalls,
      @JsonProperty("faults_by_class") Map<String, Integer> faultsByClass) {}

  /** The evidence stays the tree the audit writes, so both show a trip alike. */
  record LastTrip(String at, String until, ObjectNode evidence) {}

  /** {@code until} only when the circuit has one. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record State(String circuit, String until, double share, int reopens) {
    static State of(BreakerState state) {
      return new State(state.circuit().name().toLowerCase(Locale.ROOT),
          state.until().isAfter(Instant.EPOCH) ? state.until().toString() : null, state.share(), state.reopens());
    }
  }

  /** {@code POST /admin/breakers/{provider}/{action}}: the breaker's state once the action is done. */
  record Done(String breaker, String action, State state) {}
}
