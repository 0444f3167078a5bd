package detour.providers.anthropic;

import static detour.providers.anthropic.AnthropicFixtures.JSON;
import static detour.providers.anthropic.AnthropicFixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.providers.model.ChatRequest;
import detour.providers.model.Secret;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** OpenAI requests written as Anthropic Messages requests, against the recorded fixtures. */
class AnthropicRequestsTest {
  private final AnthropicCodec codec = new AnthropicCodec(AnthropicFixtures.CLOCK);

  @Test
  void toolConversationBecomesAlternatingTurnsWithToolUseAndMergedToolResults() {
    ObjectNode sent = codec.requestBody(new ChatRequest(json("request-tools.openai.json")), "claude-sonnet-4-5", false);
    assertEquals(json("request-tools.anthropic.json"), sent, sent.toPrettyString());
  }

  @Test
  void imagesAndPdfsBecomeBlocksAndJsonObjectBecomesASystemInstruction() {
    ObjectNode sent = codec.requestBody(new ChatRequest(json("request-media.openai.json")), "claude-haiku-4-5", true);
    assertEquals(json("request-media.anthropic.json"), sent, sent.toPrettyString());
  }

  @Test
  void jsonSchemaBecomesAForcedToolWithTheSchemaAsInput() {
    ObjectNode sent = codec.requestBody(new ChatRequest(json("request-json-schema.openai.json")), "claude-sonnet-4-5",
        false);
    assertEquals(json("request-json-schema.anthropic.json"), sent, sent.toPrettyString());
  }

  @Test
  void maxTokensDefaultsTo4096SinceAnthropicRequiresIt() {
    ObjectNode sent = body("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertEquals(4096, sent.path("max_tokens").asInt());
    assertEquals(AnthropicRequests.DEFAULT_MAX_TOKENS, sent.path("max_tokens").asInt());
  }

  @Test
  void maxTokensIsTakenFromMaxTokensWhenMaxCompletionTokensIsAbsent() {
    ObjectNode sent = body("{\"max_tokens\":77,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertEquals(77, sent.path("max_tokens").asInt());
  }

  @ParameterizedTest(name = "temperature {0} is sent as {1}")
  @CsvSource({"0.0, 0.0", "0.7, 0.7", "1.0, 1.0", "1.3, 1.0", "2.0, 1.0"})
  void temperatureIsClampedToAnthropicsRangeOfZeroToOne(double openAi, double anthropic) {
    ObjectNode sent = body("{\"temperature\":" + openAi + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertEquals(anthropic, sent.path("temperature").asDouble(), 0.0);
  }

  @Test
  void topPIsSentAloneButDroppedWhenTemperatureIsSetSinceRecentModelsRefuseBoth() {
    ObjectNode alone = body("{\"top_p\":0.5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertEquals(0.5, alone.path("top_p").asDouble(), 0.0);
    ObjectNode both = body("{\"top_p\":0.5,\"temperature\":0.2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertFalse(both.has("top_p"));
    assertEquals(0.2, both.path("temperature").asDouble(), 0.0);
  }

  @ParameterizedTest(name = "tool_choice {0} is {1}")
  @CsvSource(delimiter = '|', value = {
      "\"auto\"|{\"type\":\"auto\"}",
      "\"required\"|{\"type\":\"any\"}",
      "\"none\"|{\"type\":\"none\"}",
      "{\"type\":\"function\",\"function\":{\"name\":\"f\"}}|{\"type\":\"tool\",\"name\":\"f\"}"})
  void toolChoiceIsTranslated(String openAi, String anthropic) throws Exception {
    ObjectNode sent = body("{\"tool_choice\":" + openAi + ",\"tools\":[{\"type\":\"function\",\"function\":"
        + "{\"name\":\"f\",\"parameters\":{\"type\":\"object\"}}}],"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertEquals(JSON.readTree(anthropic), sent.path("tool_choice"));
  }

  @Test
  void parallelToolCallsFalseDisablesParallelToolUseEvenWithoutAToolChoice() {
    ObjectNode sent = body("{\"parallel_tool_calls\":false,\"tools\":[{\"type\":\"function\",\"function\":"
        + "{\"name\":\"f\"}}],\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertEquals("auto", sent.path("tool_choice").path("type").asText());
    assertTrue(sent.path("tool_choice").path("disable_parallel_tool_use").asBoolean());
  }

  @Test
  void noToolChoiceIsSentWithoutTools() {
    ObjectNode sent = body("{\"tool_choice\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertFalse(sent.has("tool_choice"));
    assertFalse(sent.has("tools"));
  }

  @Test
  void anAssistantTurnOfToolCallsAloneHasNoTextBlockAndEmptyArgumentsAreAnEmptyObject() {
    ObjectNode sent = body("{\"messages\":[{\"role\":\"user\",\"content\":\"time?\"},"
        + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"t1\",\"type\":\"function\","
        + "\"function\":{\"name\":\"now\",\"arguments\":\"\"}}]},"
        + "{\"role\":\"tool\",\"tool_call_id\":\"t1\",\"content\":\"noon\"}]}");
    JsonNode assistant = sent.path("messages").path(1);
    assertEquals(1, assistant.path("content").size());
    assertEquals("tool_use", assistant.path("content").path(0).path("type").asText());
    assertEquals(JSON.createObjectNode(), assistant.path("content").path(0).path("input"));
    assertEquals("tool_result", sent.path("messages").path(2).path("content").path(0).path("type").asText());
  }

  @Test
  void consecutiveUserMessagesAreMergedIntoOneTurn() {
    ObjectNode sent = body("{\"messages\":[{\"role\":\"user\",\"content\":\"one\"},"
        + "{\"role\":\"user\",\"content\":\"two\"}]}");
    assertEquals(1, sent.path("messages").size());
    assertEquals(2, sent.path("messages").path(0).path("content").size());
  }

  @Test
  void aConversationWithoutTurnsStillStartsWithAUserTurn() {
    ObjectNode sent = body("{\"messages\":[{\"role\":\"system\",\"content\":\"Say hello.\"}]}");
    assertEquals("Say hello.", sent.path("system").asText());
    assertEquals("user", sent.path("messages").path(0).path("role").asText());
    assertEquals(AnthropicRequests.OPENING_USER_TURN, sent.path("messages").path(0).path("content").asText());
  }

  @Test
  void anUnstreamedRequestCarriesNoStreamFieldAndDropsOpenAiOnlyFields() {
    ObjectNode sent = body("{\"stream\":true,\"stream_options\":{\"include_usage\":true},\"seed\":1,"
        + "\"frequency_penalty\":1,\"store\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", false);
    for (String field : new String[] {"stream", "stream_options", "seed", "frequency_penalty", "store"}) {
      assertFalse(sent.has(field), field);
    }
  }

  @Test
  void callsPostToMessagesWithTheKeyAndTheApiVersion() {
    assertEquals("/messages", codec.path("claude-sonnet-4-5", true));
    Map<String, String> headers = codec.headers(Optional.of(Secret.of("sk-ant-test-key-123")));
    assertEquals("sk-ant-test-key-123", headers.get("x-api-key"));
    assertEquals("2023-06-01", headers.get("anthropic-version"));
    assertEquals(2, headers.size());
    assertEquals(1, codec.headers(Optional.empty()).size(), "no key, no x-api-key");
  }

  private ObjectNode body(String openAi) {
    return body(openAi, false);
  }

  private ObjectNode body(String openAi, boolean stream) {
    try {
      return codec.requestBody(new ChatRequest((ObjectNode) JSON.readTree(openAi)), "claude-test", stream);
    } catch (Exception unreadable) {
      throw new IllegalArgumentException(unreadable);
    }
  }
}
