package detour.providers.gemini;

import static detour.providers.gemini.GeminiFixtures.json;
import static detour.providers.gemini.GeminiFixtures.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.MissingNode;
import detour.persistence.breaker.FailureKind;
import detour.providers.model.ProviderFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Gemini's error bodies classified into Detour's failure kinds. */
class GeminiErrorsTest {
  private final GeminiCodec codec = new GeminiCodec(Clock.fixed(Instant.parse("2026-11-25T15:00:00Z"), ZoneOffset.UTC));

  @ParameterizedTest(name = "{1} {0} is {2}")
  @CsvSource({
      "error-resource-exhausted.json, 429, RATE_LIMITED, RESOURCE_EXHAUSTED",
      "error-unavailable.json, 503, OVERLOADED, UNAVAILABLE",
      "error-internal.json, 500, SERVER_ERROR, INTERNAL",
      // Gemini's own deadline ran out: the model's fault like any 5xx; TOTAL_TIMEOUT is Detour's own budget.
      "error-deadline-exceeded.json, 504, SERVER_ERROR, DEADLINE_EXCEEDED",
      "error-token-count.json, 400, CONTEXT_TOO_LONG, INVALID_ARGUMENT",
      "error-invalid-argument.json, 400, BAD_REQUEST, INVALID_ARGUMENT",
      "error-api-key-invalid.json, 400, AUTH, INVALID_ARGUMENT",
      "error-permission-denied.json, 403, AUTH, PERMISSION_DENIED",
      "error-not-found.json, 404, NOT_FOUND, NOT_FOUND",
      "error-failed-precondition-billing.json, 400, QUOTA, FAILED_PRECONDITION"})
  void eachRecordedErrorHasItsClass(String fixture, int status, FailureKind kind, String type) {
    ProviderFailure failure = codec.failure(status, Optional.empty(), json(fixture));
    assertEquals(kind, failure.kind(), failure.toString());
    assertEquals(status, failure.status());
    assertEquals(type, failure.errorType());
    assertEquals(json(fixture).path("error").path("message").asText(), failure.message());
  }

  @Test
  void aLocationGoogleDoesNotServeIsOurDeploymentsFaultNotTheCallers() {
    ProviderFailure failure = codec.failure(400, Optional.empty(), parse("""
        {"error": {"code": 400, "message": "User location is not supported for the API use.",
         "status": "FAILED_PRECONDITION"}}"""));
    assertEquals(FailureKind.AUTH, failure.kind());
    assertTrue(failure.kind().failsOver());
  }

  @Test
  void theRetryDelayInTheDetailsIsTheWaitWhenNoHeaderCame() {
    ProviderFailure failure = codec.failure(429, Optional.empty(), json("error-resource-exhausted.json"));
    assertEquals(Optional.of(Duration.ofSeconds(30)), failure.retryAfter(), "29.48s rounded up");
  }

  @Test
  void aRetryAfterHeaderWinsOverTheDetails() {
    ProviderFailure failure = codec.failure(429, Optional.of("7"), json("error-resource-exhausted.json"));
    assertEquals(Optional.of(Duration.ofSeconds(7)), failure.retryAfter());
  }

  @Test
  void anOverloadedAnswerMayAskForAWaitToo() {
    ProviderFailure failure = codec.failure(503, Optional.empty(), parse("""
        {"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE",
         "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "2s"}]}}"""));
    assertEquals(FailureKind.OVERLOADED, failure.kind());
    assertEquals(Optional.of(Duration.ofSeconds(2)), failure.retryAfter());
  }

  @Test
  void aRetryDelayThatIsNotADurationIsIgnored() {
    for (String delay : new String[] {"soon", "-3s", "12", ""}) {
      assertEquals(Optional.empty(), GeminiErrors.retryDelaySeconds(parse(
          "{\"details\": [{\"@type\": \"type.googleapis.com/google.rpc.RetryInfo\", \"retryDelay\": \"" + delay + "\"}]}")),
          delay);
    }
  }

  @Test
  void anErrorWrappedInAnArrayIsReadAlike() {
    ProviderFailure failure = codec.failure(429, Optional.empty(), parse(
        "[{\"error\": {\"code\": 429, \"message\": \"Resource exhausted.\", \"status\": \"RESOURCE_EXHAUSTED\"}}]"));
    assertEquals(FailureKind.RATE_LIMITED, failure.kind());
    assertEquals("Resource exhausted.", failure.message());
  }

  @Test
  void aBodyThatIsNotJsonIsClassifiedByItsStatusAlone() {
    ProviderFailure failure = codec.failure(502, Optional.empty(), MissingNode.getInstance());
    assertEquals(FailureKind.SERVER_ERROR, failure.kind());
    assertTrue(failure.message().contains("502"), failure.message());
  }
}
