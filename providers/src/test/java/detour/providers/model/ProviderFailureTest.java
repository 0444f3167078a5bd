package detour.providers.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import detour.persistence.breaker.FailureKind;
import detour.providers.client.FailureClassifier;
import java.time.ZonedDateTime;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The failure record is where upstream text enters: whoever builds one, it comes out scrubbed. */
class ProviderFailureTest {
  static final String KEY = "sk-proj-EchoedKey0123456789";
  static final ZonedDateTime NOW = ZonedDateTime.parse("2026-01-05T09:00:00Z");

  @Test
  void anUpstreamsTypeIsKeptOnlyAsAShortToken() {
    assertEquals("context_length_exceeded",
        new ProviderFailure(FailureKind.CONTEXT_TOO_LONG, 400, "too long", "context_length_exceeded",
            Optional.empty()).errorType());
    assertEquals("", new ProviderFailure(FailureKind.BAD_REQUEST, 400, "x", "Bearer " + KEY, Optional.empty())
        .errorType());
    assertEquals("", new ProviderFailure(FailureKind.BAD_REQUEST, 400, "x", KEY, Optional.empty()).errorType());
    assertEquals("", new ProviderFailure(FailureKind.BAD_REQUEST, 400, "x", null, Optional.empty()).errorType());
  }

  @Test
  void aKeyEchoedInAnOpenAiErrorBodyIsGoneFromEveryField() throws Exception {
    var body = new ObjectMapper().readTree("{\"error\":{\"message\":\"Incorrect API key provided: " + KEY
        + "\",\"type\":\"Bearer " + KEY + "\",\"param\":\"" + KEY + "\",\"code\":\"" + KEY + "\"}}");

    ProviderFailure failure = FailureClassifier.fromStatus(400, null, body, () -> NOW);

    assertEquals("", failure.errorType());
    assertFalse(failure.message().contains("EchoedKey"), failure.message());
  }

  @Test
  void aKeyEchoedInAStreamsErrorEventIsGoneToo() {
    ProviderFailure failure = FailureClassifier.inStream("Bearer " + KEY, "your key " + KEY + " was refused");

    assertEquals("", failure.errorType());
    assertEquals("your key *** was refused", failure.message());
  }
}
