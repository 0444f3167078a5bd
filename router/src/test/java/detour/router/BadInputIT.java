package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import detour.providers.testing.TestClock;
import detour.router.testing.RawConnection;
import detour.router.testing.RouterHarness;
import detour.simulator.testing.SimulatorExtension;
import detour.router.testing.RouterHarness.Reply;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets a clear 4xx in OpenAI's error format, and nothing reaches any provider. */
class BadInputIT {
  @RegisterExtension static final SimulatorExtension upstreams = new SimulatorExtension("a", "b");
  static RouterHarness router;
  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start(@TempDir Path journalDir) {
    router = RouterHarness.start(upstreams.simulator(), List.of("a", "b"), journalDir.resolve("journal"),
        TestClock.at("2026-01-05T09:00:00Z"));
  }

  @AfterAll
  static void stop() {
    router.close();
  }

  @AfterEach
  void nothingReachedAnyProvider() {
    assertEquals(0, upstreams.instance("a").requests());
    assertEquals(0, upstreams.instance("b").requests());
  }

  @Test
  void malformedJsonIsA400ThatSaysWhere() {
    Reply reply = router.chat("{\"model\": \"default\", \"messages\": [");
    assertOpenAiError(reply, 400, "not valid JSON");
  }

  @Test
  void aBodyWithoutMessagesIsA400NamingTheField() {
    Reply reply = router.chat("{\"model\": \"default\"}");
    assertOpenAiError(reply, 400, "'messages'");
    assertEquals("messages", reply.body().path("error").path("param").asText());
  }

  @Test
  void emptyMessagesAreA400() {
    assertOpenAiError(router.chat("{\"model\": \"default\", \"messages\": []}"), 400, "non-empty array");
  }

  @Test
  void aMessageWithAnUnknownRoleIsA400NamingIt() {
    Reply reply = router.chat("{\"model\": \"default\", \"messages\": [{\"role\": \"wizard\", \"content\": \"hi\"}]}");
    assertOpenAiError(reply, 400, "'messages[0].role'");
  }

  @Test
  void aBodyWithoutModelIsA400() {
    assertOpenAiError(router.chat("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"), 400, "'model'");
  }

  @Test
  void aBodyThatIsNotAnObjectIsA400() {
    assertOpenAiError(router.chat("[1, 2, 3]"), 400, "JSON object");
  }

  @Test
  void anUnknownRouteOrModelIsA404ModelNotFound() {
    Reply reply = router.chat("{\"model\": \"no-such-route\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
    assertOpenAiError(reply, 404, "no-such-route");
    assertEquals("model_not_found", reply.body().path("error").path("code").asText());
  }

  @Test
  void aWrongContentTypeIsA415() {
    Reply reply = router.send(HttpRequest.newBuilder(router.uri("/v1/chat/completions"))
        .header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"default\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")));
    assertOpenAiError(reply, 415, "application/json");
  }

  @Test
  void streamOptionsWithoutStreamingAreRefusedAsOpenAiDoes() {
    Reply reply = router.chat("{\"model\": \"default\", \"stream_options\": {\"include_usage\": true}, "
        + "\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
    assertOpenAiError(reply, 400, "only allowed when 'stream' is true");
  }

  @Test
  void anUnknownPathIsA404InTheSameFormat() {
    Reply reply = router.send(HttpRequest.newBuilder(router.uri("/v1/nothing-here")).GET());
    assertOpenAiError(reply, 404, "Unknown path");
  }

  @Test
  void theWrongMethodIsA405InTheSameFormat() {
    Reply reply = router.send(HttpRequest.newBuilder(router.uri("/v1/chat/completions")).GET());
    assertOpenAiError(reply, 405, "POST");
    assertEquals("method_not_allowed", reply.body().path("error").path("code").asText());
  }

  @Test
  void anUnknownPathCarriesTheCodeNotFound() {
    var reply = router.send(HttpRequest.newBuilder(router.uri("/v1/nothing-here")).GET());
    assertEquals("not_found", reply.body().path("error").path("code").asText());
  }

  @Test
  void aBodyBeyondTheLimitIsA413WithItsCodeInDetoursWords() throws Exception {
    var answer = raw("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + (17 * 1024 * 1024) + "\r\n\r\n{\"model\":");
    var error = assertRawOpenAiError(answer, 413, "request_too_large");
    assertTrue(error.path("message").asText().contains("larger than"), error.toString());
    assertTrue(!error.path("message").asText().contains("akka"), "no Akka internals: " + error);
  }

  @Test
  void headersTooLargeAreA431InOpenAiFormat() throws Exception {
    assertRawOpenAiError(raw(get("/v1/models", "X-Big: " + "a".repeat(9_000))), 431, "header_too_large");
  }

  @Test
  void aUriTooLongIsA414InOpenAiFormat() throws Exception {
    assertRawOpenAiError(raw(get("/v1/" + "a".repeat(3_000))), 414, "uri_too_long");
  }

  @Test
  void anUnknownHttpVersionIsA505InOpenAiFormat() throws Exception {
    assertRawOpenAiError(raw("GET /v1/models HTTP/1.2\r\nHost: 127.0.0.1\r\n\r\n"), 505, "http_version_not_supported");
  }

  @Test
  void anUnknownMethodIsA501InOpenAiFormat() throws Exception {
    assertRawOpenAiError(raw("BREW /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), 501, "not_implemented");
  }

  @Test
  void malformedRequestsAreA400InOpenAiFormat() throws Exception {
    String tooManyHeaders = java.util.stream.IntStream.range(0, 70).mapToObj(i -> "X-H" + i + ": v")
        .collect(java.util.stream.Collectors.joining("\r\n"));
    assertRawOpenAiError(raw(get("/v1/models", tooManyHeaders)), 400, "invalid_request");
    assertRawOpenAiError(raw(get("/v1/models", "X-Bad\u0001Name: v")), 400, "invalid_request");
    assertRawOpenAiError(raw("GET /v1/models HTTP/1.1\r\n\r\n"), 400, "invalid_request");  // no Host
    assertRawOpenAiError(raw("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip\r\n\r\n"),
        400, "invalid_request");
    // Request smuggling: a body both chunked and of a stated length.
    assertRawOpenAiError(raw("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), 400, "invalid_request");
  }

  @Test
  void aRequestNoCandidateCanServeIsA400SayingWhyForEachCandidateSoSdksDoNotRetryIt(@TempDir Path dir) {
    // model-a cannot call tools; provider b has no key: neither can ever serve a request with tools.
    try (var incapable = RouterHarness.start(upstreams.simulator(), List.of("a", "b"), dir.resolve("journal"),
        TestClock.at("2026-01-05T09:00:00Z"),
        "detour.models.model-a.capabilities = [], detour.providers.b.api-key-required = on")) {
      Reply reply = incapable.chat("{\"model\":\"default\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
          + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"lookup\"}}]}");

      assertOpenAiError(reply, 400, "a/model-a skipped (the model lacks what the request uses: tools)");
      assertOpenAiError(reply, 400, "b/model-b skipped (provider 'b' has no api-key configured)");
      assertEquals("invalid_request_error", reply.body().path("error").path("type").asText());
      assertEquals("no_capable_candidate", reply.body().path("error").path("code").asText());
      assertEquals(null, reply.header("Retry-After"));
      assertEquals("0", reply.header("x-detour-attempts"));
    }
  }

  private static void assertOpenAiError(Reply reply, int status, String messageContains) {
    assertEquals(status, reply.status(), reply.raw().body());
    var error = reply.body().path("error");
    assertTrue(error.isObject(), "an OpenAI-format error object: " + reply.raw().body());
    assertTrue(error.path("message").asText().contains(messageContains),
        "message '" + error.path("message").asText() + "' should mention " + messageContains);
    assertTrue(error.has("type") && error.has("param"), "every OpenAI error field is present");
    assertTrue(error.path("code").isTextual(), "a code: " + reply.raw().body());
  }

  /** One request written as is on a connection of its own; the answer as it came off the wire. */
  private static RawConnection.Response raw(String request) throws Exception {
    try (var connection = RawConnection.open(router.uri("/").getPort())) {
      connection.send(request);
      return connection.readResponse(Duration.ofSeconds(10));
    }
  }

  private static String get(String path, String... headers) {
    StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (String header : headers) request.append(header).append("\r\n");
    return request.append("\r\n").toString();
  }

  private static JsonNode assertRawOpenAiError(RawConnection.Response answer, int status, String code) throws Exception {
    assertEquals(status, answer.status(), answer.body());
    assertEquals("application/json", answer.headers().get("content-type"), answer.body());
    JsonNode error = JSON.readTree(answer.body()).path("error");
    assertTrue(error.path("message").isTextual() && error.path("type").isTextual() && error.has("param"), answer.body());
    assertEquals(code, error.path("code").asText(), answer.body());
    return error;
  }
}
