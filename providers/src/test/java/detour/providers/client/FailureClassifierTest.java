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
      "401, AUTH", "402, QUOTA", "403, AUTH",
      "408, TOTAL_TIMEOUT",
      "400, BAD_REQUEST", "422, BAD_REQUEST", "413, REQUEST_TOO_LARGE",
      "404, NOT_FOUND", "301, MISCONFIGURED", "307, MISCONFIGURED"})
  void mapsEveryStatusToOneClass(int status, FailureKind expected) {
    assertEquals(expected, FailureClassifier.fromStatus(status, null, MissingNode.getInstance(), () -> NOW).kind());
  }

  @Test
  void theTableSaysWhomEachClassCountsAgainstAndWhetherItFailsOver() {
    // The declared table, row by row, as docs/breaker.md shows it.
    var expected = new java.util.LinkedHashMap<FailureKind, String>();
    expected.put(FailureKind.CONNECT_REFUSED, "PROVIDER fails over");
    expected.put(FailureKind.CONNECTION_RESET, "PROVIDER fails over");
    expected.put(FailureKind.DNS, "PROVIDER fails over");
    expected.put(FailureKind.TLS, "PROVIDER fails over");
    expected.put(FailureKind.CONNECT_TIMEOUT, "PROVIDER fails over");
    expected.put(FailureKind.FIRST_TOKEN_TIMEOUT, "MODEL fails over");
    expected.put(FailureKind.INTER_TOKEN_TIMEOUT, "MODEL fails over");
    expected.put(FailureKind.TOTAL_TIMEOUT, "MODEL fails over");
    expected.put(FailureKind.SERVER_ERROR, "MODEL fails over");
    expected.put(FailureKind.OVERLOADED, "MODEL fails over");
    expected.put(FailureKind.RATE_LIMITED, "MODEL fails over");
    expected.put(FailureKind.AUTH, "PROVIDER fails over");
    expected.put(FailureKind.QUOTA, "PROVIDER fails over");
    expected.put(FailureKind.NOT_FOUND, "MODEL fails over");
    expected.put(FailureKind.MISCONFIGURED, "PROVIDER fails over");
    expected.put(FailureKind.CONTEXT_TOO_LONG, "NOBODY fails over");
    expected.put(FailureKind.CONTENT_POLICY, "NOBODY stops");
    expected.put(FailureKind.BAD_REQUEST, "NOBODY stops");
    expected.put(FailureKind.REQUEST_TOO_LARGE, "NOBODY fails over");
    expected.put(FailureKind.CANCELLED, "NOBODY stops");
    expected.put(FailureKind.DEADLINE, "NOBODY stops");
    expected.put(FailureKind.SHED, "NOBODY fails over");
    assertEquals(java.util.List.of(FailureKind.values()), java.util.List.copyOf(expected.keySet()), "every row");
    expected.forEach((kind, row) ->
        assertEquals(row, kind.blame() + (kind.failsOver() ? " fails over" : " stops"), kind.name()));
  }

  @Test
  void contentPolicyRefusalsAreTheirOwnClass() throws IOException {
    JsonNode body = JSON.readTree("{\"error\":{\"message\":\"The response was filtered\",\"code\":\"content_filter\"}}");
    assertEquals(FailureKind.CONTENT_POLICY, FailureClassifier.fromStatus(400, null, body, () -> NOW).kind());
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
    assertEquals(FailureKind.QUOTA, FailureClassifier.fromStatus(429, null, body, () -> NOW).kind());
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
  void anAbsurdRetryAfterIsCutToADay() {
    var failure = FailureClassifier.fromStatus(429, "99999999999999999", MissingNode.getInstance(), () -> NOW);
    assertEquals(Optional.of(Duration.ofDays(1)), failure.retryAfter());
  }

  @Test
  void anAnswerTooLargeToReadIsNotTheProvidersFault() {
    var failure = FailureClassifier.fromThrowable(new akka.http.scaladsl.model.EntityStreamSizeException(64, scala.Option.empty()));
    assertEquals(FailureKind.BAD_REQUEST, failure.kind());
  }

  @Test
  void configuredSecretsAreScrubbedWhateverTheirShape() throws IOException {
    detour.providers.model.Secret.of("Zq8-unusual-shaped-key-4711");
    JsonNode body = JSON.readTree("{\"error\":{\"message\":\"API key provided: Zq8-unusual-shaped-key-4711 and gsk_abcdefghijklmnopqrstu\"}}");
    String message = FailureClassifier.fromStatus(401, null, body, () -> NOW).message();
    assertFalse(message.contains("Zq8-unusual") || message.contains("gsk_abcdef"), message);
  }

  @Test
  void anUnreadableRetryAfterIsIgnored() {
    assertEquals(Optional.empty(),
        FailureClassifier.fromStatus(429, "soon", MissingNode.getInstance(), () -> NOW).retryAfter());
  }

  @Test
  void failuresWithoutAnAnswerAreClassifiedByCause() {
    assertEquals(FailureKind.CONNECT_REFUSED, FailureClassifier.fromThrowable(new CompletionException(
        new StreamTcpException("Tcp command [Connect(localhost:1)] failed because of java.net.ConnectException: Connection refused"))).kind());
    assertEquals(FailureKind.CONNECT_REFUSED, FailureClassifier.fromThrowable(new ConnectException("refused")).kind());
    // As Akka raises it: a ConnectException subclass, chained as the cause.
    var connectTimeout = new StreamTcpException(
        "Tcp command [Connect(x:443)] failed because of java.net.ConnectException: Connect timeout of Some(5 seconds) expired");
    connectTimeout.initCause(new ConnectException("Connect timeout of Some(5 seconds) expired"));
    assertEquals(FailureKind.CONNECT_TIMEOUT, FailureClassifier.fromThrowable(new CompletionException(connectTimeout)).kind());
    assertEquals(FailureKind.DNS, FailureClassifier.fromThrowable(new java.net.UnknownHostException("nowhere.invalid")).kind());
    assertEquals(FailureKind.TLS, FailureClassifier.fromThrowable(new javax.net.ssl.SSLHandshakeException("bad cert")).kind());
    assertEquals(FailureKind.TOTAL_TIMEOUT, FailureClassifier.fromThrowable(new TimeoutException("idle")).kind());
    assertEquals(FailureKind.CONNECTION_RESET, FailureClassifier.fromThrowable(new java.io.IOException("Connection reset by peer")).kind());
    assertEquals(FailureKind.SHED, FailureClassifier.fromThrowable(new BufferOverflowException("full")).kind());
  }

  @Test
  void aBodyTooLargeForTheProviderIsTheRequestsFaultWhateverTheUpstreamCallsIt() throws IOException {
    // Anthropic's own type, and a proxy's 413 page that is not JSON at all.
    JsonNode anthropic = JSON.readTree("{\"type\":\"error\",\"error\":{\"type\":\"request_too_large\","
        + "\"message\":\"Request exceeds the maximum allowed number of bytes.\"}}");
    var refused = FailureClassifier.fromStatus(413, null, anthropic, () -> NOW);
    assertEquals(FailureKind.REQUEST_TOO_LARGE, refused.kind());
    assertFalse(refused.kind().providersFault());
    assertEquals(FailureKind.REQUEST_TOO_LARGE,
        FailureClassifier.fromStatus(413, null, MissingNode.getInstance(), () -> NOW).kind());
  }

  @Test
  void aConnectionBrokenWhileSendingABodyLargerThanAnyAnsweredIsTheRequestsSize() {
    var reset = FailureClassifier.fromThrowable(new IOException("Connection reset by peer"));
    long fifteenMb = 15_000_000;

    var judged = FailureClassifier.withBodySize(reset, fifteenMb, 2_000_000);

    assertEquals(FailureKind.REQUEST_TOO_LARGE, judged.kind());
    assertFalse(judged.kind().providersFault(), "no breaker counts it");
    assertTrue(judged.message().contains("15000000 bytes"), judged.message());
    // A provider that chokes on such a body rather than dropping it times out instead.
    var timeout = FailureClassifier.fromThrowable(new TimeoutException("idle"));
    assertEquals(FailureKind.REQUEST_TOO_LARGE, FailureClassifier.withBodySize(timeout, fifteenMb, 0).kind());
  }

  @Test
  void aBrokenConnectionStaysTheProvidersFaultForAnOrdinaryBodyOrOneItHasAnswered() {
    var reset = FailureClassifier.fromThrowable(new IOException("Connection reset by peer"));
    // An ordinary body, although the provider has answered nothing yet.
    assertEquals(FailureKind.CONNECTION_RESET,
        FailureClassifier.withBodySize(reset, FailureClassifier.OUTSIZED_BODY_BYTES, 0).kind());
    // A large body, but no larger than one the provider answered: not about its size.
    assertEquals(FailureKind.CONNECTION_RESET, FailureClassifier.withBodySize(reset, 3_000_000, 3_000_000).kind());
    // A connection never made says nothing of the body.
    var refused = FailureClassifier.fromThrowable(new ConnectException("Connection refused"));
    assertEquals(FailureKind.CONNECT_REFUSED, FailureClassifier.withBodySize(refused, 15_000_000, 0).kind());
  }

  @Test
  void upstreamErrorTextIsScrubbedOfKeys() throws IOException {
    JsonNode body = JSON.readTree("{\"error\":{\"message\":\"Incorrect API key provided: sk-proj-abcdefghijklmnop1234.\"}}");
    var failure = FailureClassifier.fromStatus(401, null, body, () -> NOW);
    assertFalse(failure.message().contains("abcdefghijklmnop"), failure.message());
    assertTrue(failure.message().contains("***"));
  }
}
