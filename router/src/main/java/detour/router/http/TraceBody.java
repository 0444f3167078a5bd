package detour.router.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import detour.router.coordinator.Attempt;
import detour.router.coordinator.RouteTrace;
import java.util.List;
import java.util.Locale;

/**
 * The route trace as the {@code detour} body field: every attempt, then, when a candidate
 * answered, which one. Fields that do not apply are left out, flags when false.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record TraceBody(
    @JsonProperty("request_id") String requestId,
    String route,
    List<AttemptLine> attempts,
    @JsonProperty("latency_ms") long latencyMs,
    String provider,
    String model) {

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record AttemptLine(
      String provider,
      String model,
      String result,
      Integer status,
      @JsonProperty("latency_ms") Long latencyMs,
      @JsonProperty("error_class") String errorClass,
      String detail,
      Boolean probe,
      @JsonProperty("last_resort") Boolean lastResort,
      Boolean hedge,
      @JsonProperty("may_have_executed") Boolean mayHaveExecuted,
      @JsonProperty("prompt_tokens_at_risk") Long promptTokensAtRisk,
      @JsonProperty("cost_usd_at_risk") Double costUsdAtRisk) {

    static AttemptLine of(Attempt a) {
      return new AttemptLine(a.provider(), a.model(), a.result().wireName(),
          a.status() > 0 ? a.status() : null,
          a.tried() ? a.latencyMillis() : null,
          a.errorClass().map(kind -> kind.name().toLowerCase(Locale.ROOT)).orElse(null),
          a.detail().isEmpty() ? null : a.detail(),
          onlyTrue(a.probe()), onlyTrue(a.lastResort()), onlyTrue(a.hedge()), onlyTrue(a.mayHaveExecuted()),
          a.atRisk().map(Attempt.AtRisk::promptTokens).orElse(null),
          a.atRisk().filter(risk -> risk.costUsd().isPresent()).map(risk -> risk.costUsd().getAsDouble()).orElse(null));
    }

    private static Boolean onlyTrue(boolean flag) {
      return flag ? Boolean.TRUE : null;
    }
  }

  static TraceBody of(RouteTrace trace) {
    return new TraceBody(trace.requestId(), trace.route(), trace.attempts().stream().map(AttemptLine::of).toList(),
        trace.totalMillis(), null, null);
  }

  /** The trace of an answer: which candidate gave it. */
  TraceBody answeredBy(String provider, String model) {
    return new TraceBody(requestId, route, attempts, latencyMs, provider, model);
  }
}
