package detour.router.coordinator;

import java.util.stream.Collectors;
import org.slf4j.Logger;

/**
 * The one INFO line each request leaves, key=value: request id, route, how it ended, who answered,
 * every attempt, total latency. Sizes and classes only; never prompt, completion or key text.
 */
final class RequestLog {
  private RequestLog() {}

  static void completed(Logger log, RouteOutcome outcome) {
    if (!log.isInfoEnabled()) return;
    RouteTrace trace = outcome.trace();
    String answeredBy = outcome instanceof RouteOutcome.Answered a ? a.provider() + "/" + a.model() : "-";
    log.info("request_id={} route={} outcome={} answered_by={} tried={} attempts=[{}] latency_ms={}",
        trace.requestId(), trace.route(), name(outcome), answeredBy, trace.triedCount(),
        trace.attempts().stream().map(RequestLog::describe).collect(Collectors.joining(" ")),
        trace.totalMillis());
  }

  static String name(RouteOutcome outcome) {
    if (outcome instanceof RouteOutcome.Answered) return "answered";
    if (outcome instanceof RouteOutcome.Rejected) return "rejected";
    if (outcome instanceof RouteOutcome.Exhausted) return "exhausted";
    return "deadline_exceeded";
  }

  /** One attempt as the log line and the routing record's samples show it. */
  static String describe(Attempt a) {
    StringBuilder s = new StringBuilder(a.provider()).append('/').append(a.model()).append(':')
        .append(a.result().wireName());
    a.errorClass().ifPresent(kind -> s.append(':').append(kind));
    if (a.status() > 0) s.append(':').append(a.status());
    if (a.tried()) s.append(':').append(a.latencyMillis()).append("ms");
    if (a.probe()) s.append(":probe");
    if (a.lastResort()) s.append(":last_resort");
    return s.toString();
  }
}
