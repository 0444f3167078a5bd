package detour.providers.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.stream.BufferOverflowException;
import akka.stream.StreamTcpException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import detour.persistence.breaker.FailureKind;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FailureClassifierTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final ZonedDateTime NOW = ZonedDateTime.parse("2026-01-05T09:00:00Z");

  @ParameterizedTest(name = "HTTP {0} is {1}")
  @CsvSource({
      "500, SERVER_ERROR", "502, SERVER_ERROR", "504, SERVER_ERROR",
      "503, OVERLOADED", "529, OVERLOADED",
      "429, RATE_LIMITED",
      "401, AUTH", "402, AUTH", "403, AUTH",
      "408, TIMEOUT",
      "400, BAD_REQUEST", "404, BAD_REQUEST", "422, BAD_REQUEST"})
  void mapsEveryStatusToOneClass(int status, FailureKind expected) {
    assertEquals(expected, FailureClassifier.fromStatus(status, null, MissingNode.getInstance(), () -> NOW).kind());
  }

  @Test
  void providerFaultsFailOverAndCountWhileClientErrorsDoNeither() {
    for (FailureKind kind : new FailureKind[] {FailureKind.SERVER_ERROR, FailureKind.OVERLOADED,
        FailureKind.CONNECTION, FailureKind.TIMEOUT, FailureKind.RATE_LIMITED, FailureKind.AUTH}) {
      assertTrue(kind.providersFault() && kind.failsOver(), kind.name());
    }
    for (FailureKind kind : new FailureKind[] {FailureKind.BAD_REQUEST, FailureKind.CONTEXT_TOO_LONG,
        FailureKind.CANCELLED}) {
      assertFalse(kind.providersFault() || kind.failsOver(), kind.name());
    }
    assertTrue(FailureKind.SHED.failsOver() && !FailureKind.SHED.providersFault(),
        "our own full queue moves on without blaming the provider");
  }

  @Test
  void contextLengthErrorsAreTheirOwnClass() throws IOException {
    JsonNode body = JSON.readTree("{\"error\":{\"message\":\"This model's maximum context length is 8192 tokens.\","
        + "\"type\":\"invalid_request_error\",\"code\":\"context_length_exceeded\"}}");
    var failure = FailureClassifier.fromStatus(400, null, body, () -> NOW);
    assertEquals(FailureKind.CONTEXT_TOO_LONG, failure.kind());
    assertEquals("context_length_exceeded", failure.errorType());
    assertEquals("This model's maximum context length is 8192 tokens.", failure.message());
  }

  @Test
  void anExhaustedQuotaIsOurKeysProblemNotARateLimit() throws IOException {
    JsonNode body = JSON.readTree("{\"error\":{\"message\":\"You exceeded your current quota\",\"type\":\"insufficient_quota\"}}");
    assertEquals(FailureKind.AUTH, FailureClassifier.fromStatus(429, null, body, () -> NOW).kind());
  }

  @Test
  void retryAfterInSecondsIsKept() {
    var failure = FailureClassifier.fromStatus(429, "7", MissingNode.getInstance(), () -> NOW);
    assertEquals(Optional.of(Duration.ofSeconds(7)), failure.retryAfter());
  }

  @Test
  void retryAfterAsAnHttpDateBecomesTheTimeLeft() {
    var failure = FailureClassifier.fromStatus(429, "Mon, 05 Jan 2026 09:00:30 GMT", MissingNode.getInstance(), () -> NOW);
    assertEquals(Optional.of(Duration.ofSeconds(30)), failure.retryAfter());
  }

  @Test
  void anUnreadableRetryAfterIsIgnored() {
    assertEquals(Optional.empty(),
        FailureClassifier.fromStatus(429, "soon", MissingNode.getInstance(), () -> NOW).retryAfter());
  }

  @Test
  void failuresWithoutAnAnswerAreClassifiedByCause() {
    assertEquals(FailureKind.CONNECTION,
        FailureClassifier.fromThrowable(new CompletionException(new StreamTcpException("Connection refused"))).kind());
    assertEquals(FailureKind.CONNECTION, FailureClassifier.fromThrowable(new ConnectException("refused")).kind());
    assertEquals(FailureKind.TIMEOUT, FailureClassifier.fromThrowable(new TimeoutException("idle")).kind());
    assertEquals(FailureKind.SHED, FailureClassifier.fromThrowable(new BufferOverflowException("full")).kind());
  }

  @Test
  void upstreamErrorTextIsScrubbedOfKeys() throws IOException {
    JsonNode body = JSON.readTree("{\"error\":{\"message\":\"Incorrect API key provided: sk-proj-abcdefghijklmnop1234.\"}}");
    var failure = FailureClassifier.fromStatus(401, null, body, () -> NOW);
    assertFalse(failure.message().contains("abcdefghijklmnop"), failure.message());
    assertTrue(failure.message().contains("***"));
  }
}
