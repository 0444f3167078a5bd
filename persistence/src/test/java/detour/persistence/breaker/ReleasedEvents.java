package detour.persistence.breaker;

import detour.persistence.JsonSerializable;
import detour.persistence.breaker.BreakerEvent.Drained;
import detour.persistence.breaker.BreakerEvent.ForcedClosed;
import detour.persistence.breaker.BreakerEvent.ForcedOpen;
import detour.persistence.breaker.BreakerEvent.ProbingStarted;
import detour.persistence.breaker.BreakerEvent.RampAdvanced;
import detour.persistence.breaker.BreakerEvent.Recovered;
import detour.persistence.breaker.BreakerEvent.Reset;
import detour.persistence.breaker.BreakerEvent.Tripped;
import java.time.Duration;
import detour.persistence.routing.Ending;
import detour.persistence.routing.ModelRef;
import detour.persistence.routing.PassCause;
import detour.persistence.routing.RoutingEvent;
import detour.persistence.routing.SkipCause;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every journaled event as first released (schema v1), the breaker's and the routing record's,
 * each matched by a golden file {@code events/v1/<name>.json} written once from it. Never edit
 * these: add a v2 beside them.
 */
final class ReleasedEvents {
  private ReleasedEvents() {}

  static final BreakerScope MODEL = BreakerScope.model("openai", "gpt-4o-mini");
  static final BreakerScope PROVIDER = BreakerScope.provider("openai");
  static final Instant AT = Instant.parse("2026-11-25T13:02:11.481Z");

  static Map<String, JsonSerializable> v1() {
    Map<String, JsonSerializable> events = new LinkedHashMap<>();
    events.put("Tripped", new Tripped(MODEL, AT, AT.plusMillis(31_842), 0, new Evidence(
        TripReason.CONSECUTIVE_FAULTS, 50, Map.of(FailureKind.OVERLOADED, 5, FailureKind.RATE_LIMITED, 2), 1, 5, 0,
        503, "The server is overloaded or not ready yet.", Duration.ofMillis(31_842), Duration.ofSeconds(20))));
    events.put("ProbingStarted", new ProbingStarted(MODEL, AT, 3));
    events.put("RampAdvanced", new RampAdvanced(MODEL, AT, 1, 0.5, AT.plusSeconds(10)));
    events.put("Recovered", new Recovered(MODEL, AT));
    events.put("ForcedOpen", new ForcedOpen(PROVIDER, AT, AT.plusSeconds(600), "ana", "provider maintenance"));
    events.put("ForcedClosed", new ForcedClosed(PROVIDER, AT, "ana", "known flaky hour"));
    events.put("Drained", new Drained(PROVIDER, AT, "ana", "wrong answers"));
    events.put("Reset", new Reset(PROVIDER, AT, "ana", "incident over"));
    var primary = new ModelRef("openai", "gpt-4o-mini");
    var fallback = new ModelRef("groq", "llama-3.1-8b-instant");
    events.put("RoutingIntervalRecorded", new RoutingEvent.IntervalRecorded("node-1",
        Instant.parse("2026-11-25T13:02:10Z"), Instant.parse("2026-11-25T13:02:20Z"), 42,
        List.of(new RoutingEvent.Failover("default", primary, fallback, PassCause.of(FailureKind.OVERLOADED), 5),
            new RoutingEvent.Failover("default", primary, fallback, PassCause.of(SkipCause.CIRCUIT_OPEN), 36),
            new RoutingEvent.Failover("default", primary, null, PassCause.of(FailureKind.OVERLOADED), 1)),
        List.of(new RoutingEvent.Outcome("default", Ending.ANSWERED, 41),
            new RoutingEvent.Outcome("default", Ending.EXHAUSTED, 1)),
        0, 0,
        List.of(new RoutingEvent.Sample("4f2a9c", "default", Ending.ANSWERED,
            List.of("openai/gpt-4o-mini:failed:OVERLOADED:503:3ms", "groq/llama-3.1-8b:answered:200:412ms")))));
    var second = Instant.parse("2026-11-25T13:02:11Z");
    events.put("RoutingOutcomesRecorded", new RoutingEvent.OutcomesRecorded("node-1", second, second.plusSeconds(1),
        List.of(new RoutingEvent.ModelSecond(second, primary, 3, ordered("250", 2L, "500", 1L),
                ordered("OVERLOADED", 4L, "CONNECTION_RESET", 1L), 2_000, Map.of(SkipCause.CIRCUIT_OPEN, 36L)),
            new RoutingEvent.ModelSecond(second, fallback, 41, ordered("500", 40L, "inf", 1L), Map.of(), 0, Map.of())),
        0));
    return events;
  }

  private static Map<String, Long> ordered(Object... keysAndCounts) {
    Map<String, Long> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndCounts.length; i += 2) map.put((String) keysAndCounts[i], (Long) keysAndCounts[i + 1]);
    return map;
  }
}
