package detour.providers.anthropic;

import static detour.providers.anthropic.AnthropicFixtures.JSON;
import static detour.providers.anthropic.AnthropicFixtures.NOW;
import static detour.providers.anthropic.AnthropicFixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.persistence.breaker.FailureKind;
import detour.providers.model.CallResult;
import detour.providers.model.ChatResponse;
import detour.providers.model.Usage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Whole Anthropic messages read as OpenAI chat completions. */
class AnthropicAnswersTest {
  private final AnthropicCodec codec = new AnthropicCodec(AnthropicFixtures.CLOCK);

  @Test
  void aTextMessageBecomesAChatCompletionWithItsTextBlocksJoined() {
    ChatResponse response = answered(json("message-text.json"));
    ObjectNode completion = response.body();
    assertEquals("msg_013Zva2CMHLNnXjNJJKqJ2EF", completion.path("id").asText());
    assertEquals("chat.completion", completion.path("object").asText());
    assertEquals(NOW.getEpochSecond(), completion.path("created").asLong());
    assertEquals("claude-sonnet-4-5-20250929", completion.path("model").asText());
    JsonNode choice = completion.path("choices").path(0);
    assertEquals(0, choice.path("index").asInt());
    assertEquals("assistant", choice.path("message").path("role").asText());
    assertEquals("Hi! My name is Claude. How can I help?", choice.path("message").path("content").asText());
    assertFalse(choice.path("message").has("tool_calls"));
    assertEquals("stop", choice.path("finish_reason").asText());
  }

  @Test
  void usageCountsCacheReadsAndWritesAsPromptTokensAndCacheReadsAsCached() {
    ChatResponse response = answered(json("message-text.json"));
    assertEquals(new Usage(12 + 100 + 2000, 9, 2121, 2000), response.usage());
    JsonNode usage = response.body().path("usage");
    assertEquals(2112, usage.path("prompt_tokens").asInt());
    assertEquals(9, usage.path("completion_tokens").asInt());
    assertEquals(2121, usage.path("total_tokens").asInt());
    assertEquals(2000, usage.path("prompt_tokens_details").path("cached_tokens").asInt());
  }

  @Test
  void toolUseBlocksBecomeToolCallsWithTheirInputAsAJsonStringAndThinkingIsDropped() throws Exception {
    ObjectNode completion = answered(json("message-tool-use.json")).body();
    JsonNode message = completion.path("choices").path(0).path("message");
    assertTrue(message.path("content").isNull(), "no text: content is null");
    JsonNode calls = message.path("tool_calls");
    assertEquals(2, calls.size());
    assertEquals("toolu_01A09q90qw90lq917835lq9", calls.path(0).path("id").asText());
    assertEquals("function", calls.path(0).path("type").asText());
    assertEquals("get_weather", calls.path(0).path("function").path("name").asText());
    String arguments = calls.path(0).path("function").path("arguments").asText();
    assertEquals(JSON.readTree("{\"city\":\"Paris\",\"unit\":{\"system\":\"metric\",\"decimals\":1}}"),
        JSON.readTree(arguments));
    assertEquals("{}", calls.path(1).path("function").path("arguments").asText());
    assertEquals("tool_calls", completion.path("choices").path(0).path("finish_reason").asText());
    assertFalse(completion.toString().contains("Two cities"), "thinking text is not passed on");
  }

  @Test
  void theForcedJsonToolComesBackAsContentEndingNormally() throws Exception {
    ObjectNode completion = answered(json("message-json-response.json")).body();
    JsonNode message = completion.path("choices").path(0).path("message");
    assertEquals(JSON.readTree("{\"name\":\"Ada Lovelace\",\"born\":1815}"),
        JSON.readTree(message.path("content").asText()));
    assertFalse(message.has("tool_calls"));
    assertEquals("stop", completion.path("choices").path(0).path("finish_reason").asText());
  }

  @ParameterizedTest(name = "stop_reason {0} is finish_reason {1}")
  @CsvSource({
      "end_turn, stop", "stop_sequence, stop", "max_tokens, length", "refusal, content_filter",
      "pause_turn, stop", "model_context_window_exceeded, length", "something_new, stop"})
  void mapsEachStopReasonToAFinishReason(String stopReason, String finishReason) {
    ObjectNode message = json("message-text.json").put("stop_reason", stopReason);
    assertEquals(finishReason, answered(message).body().path("choices").path(0).path("finish_reason").asText());
  }

  @Test
  void aBodyThatIsNotAMessageIsTheProvidersFault() {
    CallResult result = codec.answer(200, JSON.createObjectNode().put("type", "completion"), "claude-test");
    CallResult.Failed failed = assertInstanceOf(CallResult.Failed.class, result);
    assertEquals(FailureKind.SERVER_ERROR, failed.failure().kind());
  }

  private ChatResponse answered(ObjectNode message) {
    return assertInstanceOf(CallResult.Answered.class, codec.answer(200, message, "claude-test")).response();
  }
}
