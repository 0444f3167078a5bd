package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import detour.simulator.Behaviour;
import detour.providers.testing.TestClock;
import detour.router.testing.RouterHarness;
import detour.router.testing.RouterHarness.Reply;
import detour.router.testing.RouterHarness.Streamed;
import detour.simulator.testing.SimulatorExtension;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One OpenAI-format request answered by each protocol, whole and streamed, and a chain that mixes
 * them: {@code a} speaks OpenAI, {@code b} Anthropic's Messages API, {@code c} Gemini's.
 */
class ProtocolsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOOLS = "\"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", "
      + "\"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}, "
      + "\"required\": [\"city\"]}}}]";

  @RegisterExtension static final SimulatorExtension upstreams = new SimulatorExtension("a", "b", "c");
  @TempDir static Path journalDir;
  static RouterHarness router;

  @BeforeAll
  static void start() {
    String protocols = String.join("\n",
        RouterHarness.SIMPLE_RECOVERY,
        "detour.providers.b { protocol = anthropic, api-key = \"sk-ant-test-key\" }",
        "detour.providers.c { protocol = gemini, api-key = \"gemini-test-key\", base-url = \""
            + upstreams.instance("c").baseUrl().replace("/v1", "/v1beta") + "\" }");
    router = RouterHarness.start(upstreams.simulator(), List.of("a", "b", "c"), journalDir.resolve("journal"),
        TestClock.at("2026-01-05T09:00:00Z"), protocols);
  }

  @AfterAll
  static void stop() {
    router.close();
  }

  @Test
  void eachProtocolAnswersAWholeRequestInOpenAiFormat() {
    for (String name : List.of("a", "b", "c")) {
      Reply reply = router.chat(request("model-" + name, false, ""));

      assertEquals(200, reply.status(), name + ": " + reply.body());
      assertEquals("chat.completion", reply.body().path("object").asText(), name);
      assertFalse(reply.body().path("choices").path(0).path("message").path("content").asText().isEmpty(), name);
      assertEquals("stop", reply.body().path("choices").path(0).path("finish_reason").asText(), name);
      assertTrue(reply.body().path("usage").path("prompt_tokens").asInt() > 0, name + ": " + reply.body());
    }
    assertEquals(1, upstreams.instance("b").stats().anthropic());
    assertEquals(1, upstreams.instance("c").stats().gemini());
  }

  @Test
  void eachProtocolStreamsAsOpenAiChunks() {
    for (String name : List.of("a", "b", "c")) {
      Streamed reply = router.stream(request("model-" + name, true, ""));

      assertEquals(200, reply.status(), name);
      assertTrue(reply.done(), name + ": " + reply.lines());
      assertFalse(reply.text().isEmpty(), name);
      assertTrue(reply.events().stream().allMatch(e -> e.path("object").asText().equals("chat.completion.chunk")),
          name + ": " + reply.lines());
    }
  }

  @Test
  void aMixedChainFailsOverFromOpenAiThroughAnthropicToGeminiWithAStreamedToolCall() throws Exception {
    upstreams.instance("a").behave(Behaviour.error(503));
    upstreams.instance("b").behave(Behaviour.overloaded());

    Streamed reply = router.stream(request("default", true, TOOLS));

    assertEquals(200, reply.status());
    assertEquals("c", reply.header("x-detour-provider"));
    assertTrue(reply.done(), reply.lines().toString());
    StringBuilder name = new StringBuilder();
    StringBuilder arguments = new StringBuilder();
    String finish = null;
    for (JsonNode chunk : reply.events()) {
      JsonNode choice = chunk.path("choices").path(0);
      for (JsonNode call : choice.path("delta").path("tool_calls")) {
        name.append(call.path("function").path("name").asText(""));
        arguments.append(call.path("function").path("arguments").asText(""));
      }
      if (choice.hasNonNull("finish_reason")) finish = choice.path("finish_reason").asText();
    }
    assertEquals("get_weather", name.toString());
    assertTrue(JSON.readTree(arguments.toString()).has("city"), arguments.toString());
    assertEquals("tool_calls", finish);
    JsonNode trace = JSON.readTree(reply.lines().get(0).substring(": detour ".length()));
    assertEquals("overloaded", trace.path("attempts").get(0).path("error_class").asText());
    assertEquals("overloaded", trace.path("attempts").get(1).path("error_class").asText());
    assertEquals(529, trace.path("attempts").get(1).path("status").asInt());
  }

  @Test
  void eachProvidersContextLengthRefusalIsTheCallersContextLengthError() {
    for (String name : List.of("a", "b", "c")) {
      upstreams.instance(name).behave(Behaviour.contextLength());

      Reply reply = router.chat(request("model-" + name, false, ""));

      assertEquals(400, reply.status(), name + ": " + reply.body());
      assertEquals("context_length_exceeded", reply.body().path("error").path("code").asText(), name);
    }
  }

  @Test
  void eachProvidersRateLimitIsClassifiedAsARateLimit() {
    for (String name : List.of("a", "b", "c")) {
      upstreams.instance(name).behave(Behaviour.rateLimit(2));

      Reply reply = router.chat(request("model-" + name, false, ""));

      assertEquals(503, reply.status(), name + ": " + reply.body());
      assertEquals("rate_limited", reply.trace().path("attempts").get(0).path("error_class").asText(), name);
      upstreams.instance(name).behave(Behaviour.ok());
    }
  }

  private static String request(String model, boolean stream, String extra) {
    return "{\"model\": \"" + model + "\", \"stream\": " + stream + (extra.isEmpty() ? "" : ", " + extra)
        + ", \"messages\": [{\"role\": \"user\", \"content\": \"What is the weather in Paris?\"}]}";
  }
}
