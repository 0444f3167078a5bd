package detour.providers.anthropic;

import static detour.providers.anthropic.AnthropicFixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.MissingNode;
import detour.persistence.breaker.FailureKind;
import detour.providers.model.ProviderFailure;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each Anthropic error answer and the failure class it is given. */
class AnthropicErrorsTest {
  private final AnthropicCodec codec = new AnthropicCodec(AnthropicFixtures.CLOCK);

  @ParameterizedTest(name = "{0} {1} is {2}")
  @CsvSource({
      "429, error-rate-limit.json, RATE_LIMITED",
      "529, error-overloaded.json, OVERLOADED",
      "500, error-api.json, SERVER_ERROR",
      "401, error-authentication.json, AUTH",
      "403, error-permission.json, AUTH",
      "404, error-not-found.json, NOT_FOUND",
      "400, error-prompt-too-long.json, CONTEXT_TOO_LONG",
      "400, error-invalid-request.json, BAD_REQUEST",
      "413, error-request-too-large.json, REQUEST_TOO_LARGE",
      "402, error-billing.json, QUOTA",
      "400, error-credit-balance.json, QUOTA"})
  void classifiesEachAnthropicErrorByStatusTypeAndMessage(int status, String fixture, FailureKind kind) {
    ProviderFailure failure = codec.failure(status, Optional.empty(), json(fixture));
    assertEquals(kind, failure.kind());
    assertEquals(status, failure.status());
    assertEquals(json(fixture).path("error").path("type").asText(), failure.errorType());
    assertEquals(json(fixture).path("error").path("message").asText(), failure.message());
  }

  @Test
  void aRateLimitKeepsTheRetryAfterAnthropicAskedFor() {
    ProviderFailure failure = codec.failure(429, Optional.of("17"), json("error-rate-limit.json"));
    assertEquals(FailureKind.RATE_LIMITED, failure.kind());
    assertEquals(Optional.of(Duration.ofSeconds(17)), failure.retryAfter());
  }

  @Test
  void anOverloadKeepsItsRetryAfterToo() {
    ProviderFailure failure = codec.failure(529, Optional.of("5"), json("error-overloaded.json"));
    assertEquals(Optional.of(Duration.ofSeconds(5)), failure.retryAfter());
  }

  @Test
  void aBodyThatIsNotJsonIsClassifiedByItsStatus() {
    ProviderFailure failure = codec.failure(413, Optional.empty(), MissingNode.getInstance());
    assertEquals(FailureKind.REQUEST_TOO_LARGE, failure.kind());
    assertEquals("HTTP 413 from the provider", failure.message());
  }
}
