package detour.persistence.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import detour.persistence.breaker.BreakerEvent;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The routing record folded into the audit: per incident, per route, and on the HTML page. */
class AuditRoutingTest {
  static final Instant T0 = Instant.parse("2026-11-25T13:00:00Z");
  static final BreakerScope MODEL = BreakerScope.model("openai", "gpt-4o-mini");
  static final BreakerScope PROVIDER = BreakerScope.provider("openai");
  static final ModelRef MINI = new ModelRef("openai", "gpt-4o-mini");
  static final ModelRef LLAMA = new ModelRef("groq", "llama");
  static final ModelRef SMALL = new ModelRef("mistral", "small");
  static final PassCause CIRCUIT_OPEN = PassCause.of(SkipCause.CIRCUIT_OPEN);

  static List<BreakerEvent> incident(BreakerScope scope) {
    return List.of(new Tripped(scope, T0, T0.plusSeconds(30), 0, new Evidence(TripReason.CONSECUTIVE_FAULTS, 12,
            Map.of(FailureKind.OVERLOADED, 5), 0, 5, 0, 503, "overloaded <b>now</b>", Duration.ofSeconds(30), Duration.ZERO)),
        new Recovered(scope, T0.plusSeconds(60)));
  }

  static IntervalRecorded interval(int startSecond, List<Failover> failovers, List<Outcome> outcomes, Sample... samples) {
    return new IntervalRecorded("n1", T0.plusSeconds(startSecond), T0.plusSeconds(startSecond + 10), 1, failovers, outcomes,
        0, 0, List.of(samples));
  }

  static final List<IntervalRecorded> INTERVALS = List.of(
      interval(-20, List.of(new Failover("default", MINI, LLAMA, PassCause.of(FailureKind.OVERLOADED), 3)),
          List.of(new Outcome("default", Ending.ANSWERED, 3))),
      interval(0, List.of(
              new Failover("default", MINI, LLAMA, PassCause.of(FailureKind.OVERLOADED), 5),
              new Failover("default", MINI, LLAMA, CIRCUIT_OPEN, 20),
              new Failover("default", MINI, null, PassCause.of(FailureKind.OVERLOADED), 1),
              new Failover("batch", MINI, LLAMA, CIRCUIT_OPEN, 4)),
          List.of(new Outcome("batch", Ending.ANSWERED, 4), new Outcome("default", Ending.ANSWERED, 25),
              new Outcome("default", Ending.EXHAUSTED, 1)),
          new Sample("req-1", "default", Ending.ANSWERED,
              List.of("openai/mini:failed:OVERLOADED:503:3ms", "groq/llama:answered:200:9ms")),
          new Sample("req-2", "batch", Ending.ANSWERED, List.of("openai/mini:skipped", "groq/llama:answered:200:8ms"))),
      interval(50, List.of(new Failover("default", MINI, SMALL, CIRCUIT_OPEN, 7)),
          List.of(new Outcome("default", Ending.ANSWERED, 7))),
      interval(70, List.of(new Failover("default", MINI, LLAMA, PassCause.of(FailureKind.SERVER_ERROR), 2)),
          List.of(new Outcome("default", Ending.ANSWERED, 2))));

  static AuditReport report(AuditFilter filter, List<List<BreakerEvent>> breakers) {
    var incidents = IncidentTimeline.ofAll(breakers).stream().filter(filter::admits).toList();
    var routing = new RoutingHistory(incidents, filter, T0.plusSeconds(600));
    INTERVALS.forEach(routing::add);
    return new AuditReport(incidents, routing, T0.plusSeconds(600));
  }

  @Test
  void anIncidentCountsTheRequestsThatFailedOverFromItsModelWhileItLastedAndWhere() {
    var report = report(AuditFilter.everything(), List.of(incident(MODEL)));
    var routing = report.routing().of(report.incidents().get(0));
    assertEquals(36, routing.failedOver(), "5 + 20 + 4 + 7, not the intervals before or after it");
    assertEquals(Map.of("groq/llama", 29L, "mistral/small", 7L), routing.failedOverTo());
    assertEquals(Map.of(CIRCUIT_OPEN, 31L, PassCause.of(FailureKind.OVERLOADED), 5L), routing.failedOverByCause());
    assertEquals(1, routing.failedEntirely());
    assertEquals(Map.of(PassCause.of(FailureKind.OVERLOADED), 1L), routing.failedEntirelyByCause());
    assertEquals(List.of("req-1", "req-2"), routing.samples().stream().map(Sample::requestId).toList());
  }

  @Test
  void aProvidersIncidentCountsTheFailoversFromEveryOneOfItsModels() {
    var report = report(AuditFilter.everything(), List.of(incident(PROVIDER)));
    assertEquals(36, report.routing().of(report.incidents().get(0)).failedOver());
  }

  @Test
  void theRouteFilterCountsOneRoutesFailoversAndKeepsEveryIncident() {
    var report = report(new AuditFilter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.of("batch")),
        List.of(incident(MODEL)));
    assertEquals(1, report.incidents().size());
    var routing = report.routing().of(report.incidents().get(0));
    assertEquals(4, routing.failedOver());
    assertEquals(0, routing.failedEntirely());
    assertEquals(Map.of("batch", Map.of(Ending.ANSWERED, 4L)), report.routing().routes());
  }

  @Test
  void theTimeFilterCountsOnlyTheIntervalsInItsRange() {
    var report = report(new AuditFilter(Optional.empty(), Optional.of(T0.plusSeconds(55)), Optional.empty(),
        Optional.empty()), List.of(incident(MODEL)));
    assertEquals(7, report.routing().of(report.incidents().get(0)).failedOver());
    assertEquals(2, report.routing().intervals());
  }

  @Test
  void theJsonAddsTheRoutingOfEachIncidentAndEachRoutesRequests() throws Exception {
    JsonNode json = new ObjectMapper().readTree(report(AuditFilter.everything(), List.of(incident(MODEL))).json());
    assertEquals("detour.audit/v1", json.path("schema").asText(), "fields added, the schema name kept");
    assertTrue(json.path("route").isNull());
    assertEquals(4, json.path("routing_intervals").asInt());
    assertEquals(37, json.path("routes").path("default").path("answered").asInt());
    assertEquals(1, json.path("routes").path("default").path("exhausted").asInt());
    JsonNode routing = json.path("incidents").get(0).path("routing");
    assertEquals(36, routing.path("failed_over").asInt());
    assertEquals(29, routing.path("failed_over_to").path("groq/llama").asInt());
    assertEquals(31, routing.path("failed_over_by_cause").path("circuit_open").asInt());
    assertEquals(1, routing.path("failed_entirely").asInt());
    assertEquals(1, routing.path("failed_entirely_by_cause").path("overloaded").asInt());
    assertEquals(32, routing.path("routes").path("default").path("failed_over").asInt());
    assertEquals("req-1", routing.path("sample_requests").get(0).path("request_id").asText());
    assertEquals(2, routing.path("sample_requests").get(0).path("attempts").size());
    // What v1 had is still there, unchanged.
    assertEquals("openai/gpt-4o-mini", json.path("incidents").get(0).path("breaker").asText());
    assertEquals(60_000, json.path("incidents").get(0).path("duration_ms").asLong());
  }

  @Test
  void theTextShowsEachIncidentsFailoversAndTheRoutes() {
    String text = report(AuditFilter.everything(), List.of(incident(MODEL))).text();
    assertTrue(text.contains("routing: 36 request(s) failed over to groq/llama 29, mistral/small 7"
        + " (circuit_open 31, overloaded 5); 1 failed entirely (overloaded 1)"), text);
    assertTrue(text.contains("sample req-1 default answered [openai/mini:failed:OVERLOADED:503:3ms"), text);
    assertTrue(text.contains("route default: 37 answered, 1 exhausted"), text);
    assertTrue(text.contains("REOPENS FAILED OVER  FAILED  CAUSE"), text);
    assertTrue(text.contains("60.0 s       0          36       1  CONSECUTIVE_FAULTS"), text);
  }

  @Test
  void theHtmlPageIsOneSelfContainedFileWithEveryPhaseAsABand() {
    String html = StagedOutage.report(AuditFilter.everything()).html();
    assertFalse(html.contains("<script"), "no script");
    assertFalse(html.contains("http://") || html.contains("https://") || html.contains("src=") || html.contains("<link"),
        "nothing fetched");
    assertTrue(html.contains("<title>Detour audit: 2 incidents, 2026-11-25T14:01:"), "the time range in the title");
    String gpt = "data-scope=\"openai/gpt-4o\" data-state=\"";
    assertEquals(2, count(html, gpt + "closed\""));
    assertEquals(3, count(html, gpt + "open\""), "the trip and two failed probes");
    assertEquals(3, count(html, gpt + "half_open\""));
    assertEquals(2, count(html, gpt + "recovering\""));
    assertEquals(2, count(html, "<g class=\"marker\" data-kind=\"trip\""), "one trip in each of the two scopes");
    assertEquals(2, count(html, "data-kind=\"probe_failed\""));
    assertEquals(2, count(html, "data-kind=\"probes_passed\""));
  }

  @Test
  void textFromTheJournalIsEscapedOnThePage() {
    String html = report(AuditFilter.everything(), List.of(incident(MODEL))).html();
    assertFalse(html.contains("<b>now</b>"), "an upstream's message is text, not markup");
    assertTrue(html.contains("overloaded &lt;b&gt;now&lt;/b&gt;"));
  }

  static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) n++;
    return n;
  }
}
