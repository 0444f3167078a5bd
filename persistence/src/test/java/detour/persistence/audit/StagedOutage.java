package detour.persistence.audit;

import detour.persistence.breaker.BreakerEvent;
import detour.persistence.breaker.BreakerEvent.ProbingStarted;
import detour.persistence.breaker.BreakerEvent.RampAdvanced;
import detour.persistence.breaker.BreakerEvent.Recovered;
import detour.persistence.breaker.BreakerEvent.Tripped;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.Evidence;
import detour.persistence.breaker.FailureKind;
import detour.persistence.breaker.TripReason;
import detour.persistence.routing.Ending;
import detour.persistence.routing.ModelRef;
import detour.persistence.routing.PassCause;
import detour.persistence.routing.RoutingEvent.Failover;
import detour.persistence.routing.RoutingEvent.IntervalRecorded;
import detour.persistence.routing.RoutingEvent.Outcome;
import detour.persistence.routing.RoutingEvent.Sample;
import detour.persistence.routing.SkipCause;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A realistic outage, as the journal would hold it: openai's gpt-4o overloaded for four and a half
 * minutes (a trip on five 503s in a row, a failed probe, a second cooldown, probes passing, a
 * two-stage ramp), and during it groq's llama rate-limited for a minute, so that some requests
 * failed over a second time and a few failed entirely. Routing record intervals of 10 s.
 */
final class StagedOutage {
  private StagedOutage() {}

  static final Instant T0 = Instant.parse("2026-11-25T14:02:11.481Z");
  static final BreakerScope GPT = BreakerScope.model("openai", "gpt-4o");
  static final BreakerScope LLAMA = BreakerScope.model("groq", "llama-3.3-70b-versatile");
  static final ModelRef GPT_REF = new ModelRef("openai", "gpt-4o");
  static final ModelRef LLAMA_REF = new ModelRef("groq", "llama-3.3-70b-versatile");
  static final ModelRef MISTRAL_REF = new ModelRef("mistral", "mistral-small-latest");

  static Instant at(double seconds) {
    return T0.plusMillis(Math.round(seconds * 1000));
  }

  static Tripped trip(BreakerScope scope, double seconds, TripReason reason, int reopens, FailureKind kind, int faults,
      int status, String message, double cooldown) {
    return new Tripped(scope, at(seconds), at(seconds + cooldown), reopens, new Evidence(reason,
        reason == TripReason.PROBE_FAILED ? 0 : 50, Map.of(kind, faults), 0,
        reason == TripReason.CONSECUTIVE_FAULTS ? faults : 0, reason == TripReason.RATE_LIMITS ? faults : 0, status,
        message, Duration.ofMillis(Math.round(cooldown * 1000)), Duration.ZERO));
  }

  /** gpt-4o's breaker, then llama's. */
  static List<List<BreakerEvent>> breakerEvents() {
    List<BreakerEvent> gpt = List.of(
        trip(GPT, 0, TripReason.CONSECUTIVE_FAULTS, 0, FailureKind.OVERLOADED, 5, 503,
            "The server is overloaded or not ready yet.", 31.8),
        new ProbingStarted(GPT, at(31.8), 3),
        trip(GPT, 32.3, TripReason.PROBE_FAILED, 1, FailureKind.OVERLOADED, 1, 503,
            "The server is overloaded or not ready yet.", 64.1),
        new ProbingStarted(GPT, at(96.4), 3),
        trip(GPT, 97.0, TripReason.PROBE_FAILED, 2, FailureKind.OVERLOADED, 1, 503,
            "The server is overloaded or not ready yet.", 118.7),
        new ProbingStarted(GPT, at(215.7), 3),
        new RampAdvanced(GPT, at(217.9), 0, 0.1, at(227.9)),
        new RampAdvanced(GPT, at(227.9), 1, 0.5, at(237.9)),
        new Recovered(GPT, at(237.9)));
    List<BreakerEvent> llama = List.of(
        trip(LLAMA, 140.2, TripReason.RATE_LIMITS, 0, FailureKind.RATE_LIMITED, 10, 429,
            "Rate limit reached for model llama-3.3-70b-versatile: tokens per minute (TPM).", 30.0),
        new ProbingStarted(LLAMA, at(170.2), 3),
        new RampAdvanced(LLAMA, at(172.5), 0, 0.1, at(182.5)),
        new RampAdvanced(LLAMA, at(182.5), 1, 0.5, at(192.5)),
        new Recovered(LLAMA, at(192.5)));
    return List.of(gpt, llama);
  }

  /** Node eu-1's routing record: one event per 10 s interval with any failover, from 14:02:10. */
  static List<IntervalRecorded> intervals() {
    List<IntervalRecorded> out = new ArrayList<>();
    Instant start = Instant.parse("2026-11-25T14:02:10Z");
    for (int k = 0; k < 25; k++) {
      Instant s = start.plusSeconds(10L * k);
      double t = Duration.between(T0, s).toMillis() / 1000.0;  // interval start, seconds after the trip
      List<Failover> failovers = new ArrayList<>();
      List<Outcome> outcomes = new ArrayList<>();
      List<Sample> samples = new ArrayList<>();
      long answered = 0;
      long failed = 0;
      boolean llamaOut = t >= 130 && t < 190;
      if (k == 0) {
        // The five 503s that opened it, each answered by llama.
        failovers.add(new Failover("default", GPT_REF, LLAMA_REF, PassCause.of(FailureKind.OVERLOADED), 5));
        answered += 5;
        samples.add(sample("9f2c41d7", "default", Ending.ANSWERED, "openai/gpt-4o:failed:OVERLOADED:503:212ms",
            "groq/llama-3.3-70b:answered:200:640ms"));
      }
      if (t < 230) {
        long open = k == 0 ? 31 : t >= 210 ? 26 - (long) (t - 210) : 40 + (k % 3) * 4;
        long batch = k == 0 ? 6 : t >= 210 ? 5 : 9 + (k % 2);
        PassCause cause = PassCause.of(t >= 210 ? SkipCause.RAMPING : SkipCause.CIRCUIT_OPEN);
        if (llamaOut) {
          PassCause llamaCause = t < 150 ? PassCause.of(FailureKind.RATE_LIMITED) : PassCause.of(SkipCause.CIRCUIT_OPEN);
          long failedEntirely = t < 150 ? 4 : 1;
          failovers.add(new Failover("default", GPT_REF, MISTRAL_REF, cause, open - failedEntirely));
          failovers.add(new Failover("default", GPT_REF, null, cause, failedEntirely));
          failovers.add(new Failover("default", LLAMA_REF, MISTRAL_REF, llamaCause,
              open - failedEntirely));
          failovers.add(new Failover("default", LLAMA_REF, null, PassCause.of(FailureKind.SERVER_ERROR), failedEntirely));
          failovers.add(new Failover("batch", GPT_REF, null, cause, batch));
          failovers.add(new Failover("batch", LLAMA_REF, null, llamaCause, batch));
          answered += open - failedEntirely;
          failed += failedEntirely + batch;
          samples.add(sample("c81d0a3e", "batch", Ending.EXHAUSTED, "openai/gpt-4o:skipped",
              "groq/llama-3.3-70b:failed:RATE_LIMITED:429:88ms"));
        } else {
          failovers.add(new Failover("default", GPT_REF, LLAMA_REF, cause, open));
          failovers.add(new Failover("batch", GPT_REF, LLAMA_REF, cause, batch));
          answered += open + batch;
          samples.add(sample("4e7b19a2", "default", Ending.ANSWERED, "openai/gpt-4o:skipped",
              "groq/llama-3.3-70b:answered:200:702ms"));
        }
      }
      if (failovers.isEmpty()) continue;
      // Every request here passed gpt-4o over exactly once: its entries count the requests.
      for (String route : List.of("batch", "default")) {
        long ok = failovers.stream().filter(f -> f.route().equals(route) && f.from().equals(GPT_REF) && f.answered())
            .mapToLong(Failover::requests).sum();
        long lost = failovers.stream().filter(f -> f.route().equals(route) && f.from().equals(GPT_REF) && !f.answered())
            .mapToLong(Failover::requests).sum();
        if (ok > 0) outcomes.add(new Outcome(route, Ending.ANSWERED, ok));
        if (lost > 0) outcomes.add(new Outcome(route, Ending.EXHAUSTED, lost));
      }
      out.add(new IntervalRecorded("eu-1", s, s.plusSeconds(10), answered + failed, failovers, outcomes, 0, 0,
          samples.subList(0, Math.min(5, samples.size()))));
    }
    return out;
  }

  static Sample sample(String id, String route, Ending outcome, String... attempts) {
    return new Sample(id, route, outcome, List.of(attempts));
  }

  /** The audit of it all, as scripts/detour audit would build it at 14:10. */
  static AuditReport report(AuditFilter filter) {
    Instant now = Instant.parse("2026-11-25T14:10:00Z");
    var incidents = IncidentTimeline.ofAll(breakerEvents()).stream().filter(filter::admits).toList();
    var routing = new RoutingHistory(incidents, filter, now);
    intervals().forEach(routing::add);
    return new AuditReport(incidents, routing, now);
  }
}
