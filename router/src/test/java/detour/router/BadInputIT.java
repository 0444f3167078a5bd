package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import detour.providers.testing.TestClock;
import detour.router.testing.RouterHarness;
import detour.providers.testing.SimulatorExtension;
import detour.router.testing.RouterHarness.Reply;
import java.net.http.HttpRequest;
import java.nio.file.Path;
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
    assertTrue(error.has("type") && error.has("param") && error.has("code"), "every OpenAI error field is present");
  }
}
