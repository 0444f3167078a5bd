package detour.router.coordinator;

import detour.persistence.LogText;
import detour.providers.model.ProviderFailure;
import detour.providers.model.Usage;
import detour.router.config.Candidate;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;

/**
 * The one INFO line each request leaves, key=value: request id, route, how it ended, who answered,
 * every attempt, total latency. Sizes and classes only; never prompt, completion or key text; what a
 * caller chose (its request id, the route it named) escaped by {@link LogText}.
 */
final class RequestLog {
  private RequestLog() {}

  static void completed(Logger log, RouteOutcome outcome) {
    if (!log.isInfoEnabled()) return;
    RouteTrace trace = outcome.trace();
    String answeredBy = outcome instanceof RouteOutcome.Answered a ? a.provider() + "/" + a.model() : "-";
    Usage usage = outcome instanceof RouteOutcome.Answered a ? a.response().usage() : Usage.none();
    log.info("request_id={} route={} outcome={} answered_by={} tried={} attempts=[{}] latency_ms={} "
            + "prompt_tokens={} completion_tokens={}",
        LogText.escape(trace.requestId()), LogText.escape(trace.route()), outcome.ending().journalName(), answeredBy,
        trace.triedCount(),
        trace.attempts().stream().map(RequestLog::describe).collect(Collectors.joining(" ")),
        trace.totalMillis(), usage.promptTokens(), usage.completionTokens());
  }

  /** The line of a streamed request, written when its stream has ended, with how it ended. */
  static void streamed(Logger log, RouteTrace trace, Candidate answering, StreamProgress progress,
      Optional<ProviderFailure> broke) {
    if (!log.isInfoEnabled()) return;
    Usage usage = progress.usage();
    log.info("request_id={} route={} outcome=streamed answered_by={}/{} tried={} attempts=[{}] latency_ms={} "
            + "stream_end={} chunks={} prompt_tokens={} completion_tokens={}",
        LogText.escape(trace.requestId()), LogText.escape(trace.route()), answering.providerName(), answering.model().id(),
        trace.triedCount(),
        trace.attempts().stream().map(RequestLog::describe).collect(Collectors.joining(" ")),
        trace.totalMillis(), broke.map(f -> f.kind().name()).orElse("complete"), progress.chunks(),
        usage.promptTokens(), usage.completionTokens());
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
    if (a.hedge()) s.append(":hedge");
    if (a.mayHaveExecuted()) s.append(":may_have_executed");
    a.atRisk().ifPresent(risk -> s.append(":prompt_tokens_at_risk=").append(risk.promptTokens()));
    return s.toString();
  }
}
