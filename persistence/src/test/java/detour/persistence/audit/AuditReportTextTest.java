package detour.persistence.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import detour.persistence.breaker.BreakerEvent.Drained;
import detour.persistence.breaker.BreakerEvent.Recovered;
import detour.persistence.breaker.BreakerEvent.Reset;
import detour.persistence.breaker.BreakerEvent.Tripped;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.Evidence;
import detour.persistence.breaker.FailureKind;
import detour.persistence.breaker.TripReason;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The terminal report of journals written before the admin API refused control characters, or
 * holding an upstream's message with a line break: every journaled string is printed escaped, so
 * nothing forges a line of the report or reaches the terminal as an escape sequence.
 */
class AuditReportTextTest {
  static final BreakerScope SCOPE = BreakerScope.provider("openai");
  static final Instant T0 = Instant.parse("2026-11-25T13:00:00Z");

  @Test
  void anOperatorsControlCharactersArePrintedEscaped() {
    var incidents = IncidentTimeline.of(List.of(
        new Drained(SCOPE, T0, "ana\n  2026-11-25 13:05:00.000Z  CLOSED", "bad \u001b[31manswers\u0007"),
        new Reset(SCOPE, T0.plusSeconds(300), "ana", "fixed\r\u2028done")));

    String text = new AuditReport(incidents, T0.plusSeconds(400)).text();

    assertTrue(text.contains("DRAINED     by ana\\n  2026-11-25 13:05:00.000Z  CLOSED: bad \\u001b[31manswers\\u0007"),
        text);
    assertTrue(text.contains("RESET       by ana: fixed\\r\\u2028done"), text);
    assertTrue(text.contains("operator ana\\n  2026-11-25 13:05:00.000Z  CLOSED: bad \\u001b[31manswers\\u0007"), text);
    assertNoControlCharacterBut(text, '\n');
    assertFalse(text.lines().anyMatch(line -> line.startsWith("  2026-11-25 13:05:00.000Z  CLOSED")),
        "no forged timeline line: " + text);
  }

  @Test
  void anUpstreamsSampleMessageIsPrintedEscaped() {
    var evidence = new Evidence(TripReason.CONSECUTIVE_FAULTS, 5, Map.of(FailureKind.SERVER_ERROR, 5), 0, 5, 0, 500,
        "boom\nFAKE LINE \u001b]0;title\u0007", Duration.ofSeconds(30), Duration.ZERO);
    var incidents = IncidentTimeline.of(List.of(
        new Tripped(SCOPE, T0, T0.plusSeconds(30), 0, evidence), new Recovered(SCOPE, T0.plusSeconds(60))));

    String text = new AuditReport(incidents, T0.plusSeconds(90)).text();

    assertTrue(text.contains("sample 500 \"boom\\nFAKE LINE \\u001b]0;title\\u0007\""), text);
    assertNoControlCharacterBut(text, '\n');
  }

  @Test
  void theJsonReportKeepsTheValueAsJournaled() throws Exception {
    var incidents = IncidentTimeline.of(List.of(new Drained(SCOPE, T0, "ana", "line one\nline two")));
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(new AuditReport(incidents, T0).json());
    assertEquals("line one\nline two", json.path("incidents").get(0).path("timeline").get(0).path("reason").asText());
  }

  private static void assertNoControlCharacterBut(String text, char allowed) {
    text.codePoints().filter(c -> c != allowed).forEach(c ->
        assertFalse(detour.persistence.LogText.isControl(c), "U+" + Integer.toHexString(c) + " in " + text));
  }
}
