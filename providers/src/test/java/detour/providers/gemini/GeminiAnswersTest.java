package detour.providers.gemini;

import static detour.providers.gemini.GeminiFixtures.json;
import static detour.providers.gemini.GeminiFixtures.parse;
import static detour.providers.gemini.GeminiFixtures.reparsed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import detour.persistence.breaker.FailureKind;
import detour.providers.model.CallResult;
import detour.providers.model.ChatResponse;
import detour.providers.model.ProviderFailure;
import detour.providers.model.Usage;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Gemini GenerateContentResponses in as OpenAI chat completions. */
class GeminiAnswersTest {
  static final Instant NOW = Instant.parse("2026-11-25T15:00:00Z");
  private final GeminiCodec codec = new GeminiCodec(Clock.fixed(NOW, ZoneOffset.UTC));

  private ChatResponse answered(String fixture) {
    CallResult result = codec.answer(200, json(fixture), "gemini-upstream");
    return assertInstanceOf(CallResult.Answered.class, result, result.toString()).response();
  }

  private ProviderFailure failed(JsonNode body) {
    CallResult result = codec.answer(200, body, "gemini-upstream");
    return assertInstanceOf(CallResult.Failed.class, result, result.toString()).failure();
  }

  @Test
  void aTextAnswerBecomesAChatCompletionWithoutTheThoughts() {
    ChatResponse response = answered("response-text.json");
    assertEquals(parse("""
        {"id": "chatcmpl-gemini-mAitaLmkHPPlz7IPvtfUqQ4", "object": "chat.completion", "created": 1795618800,
         "model": "gemini-2.5-flash",
         "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello! How can I help you today?"},
                      "finish_reason": "stop"}],
         "usage": {"prompt_tokens": 12, "completion_tokens": 24, "total_tokens": 36,
                   "prompt_tokens_details": {"cached_tokens": 4},
                   "completion_tokens_details": {"reasoning_tokens": 15}}}"""), reparsed(response.body()));
    assertEquals(new Usage(12, 24, 36, 4), response.usage(), "thinking tokens count as completion tokens");
  }

  @Test
  void functionCallsBecomeToolCallsWithIdsArgumentsAndTheirSignature() {
    ChatResponse response = answered("response-function-call.json");
    assertEquals(parse("""
        {"role": "assistant", "content": null, "tool_calls": [
          {"id": "call_fc-2026-11-25-x1_0", "type": "function",
           "function": {"name": "get_weather", "arguments": "{\\"city\\":\\"Paris\\",\\"day\\":\\"2026-11-26\\"}"},
           "extra_content": {"google": {"thought_signature": "CiQBcsjafDhw2Hm0Ak1yQ3Bi9Y3dEaDx0QBVjwV1U8Ldzk4="}}},
          {"id": "call_fc-2026-11-25-x1_1", "type": "function",
           "function": {"name": "current_time", "arguments": "{}"}}]}"""),
        response.body().path("choices").get(0).path("message"));
    assertEquals("tool_calls", response.body().path("choices").get(0).path("finish_reason").asText());
    assertEquals(new Usage(120, 31, 151, 0), response.usage());
  }

  @Test
  void theSameAnswerAlwaysGetsTheSameIds() {
    assertEquals(answered("response-function-call.json").body().path("choices"),
        answered("response-function-call.json").body().path("choices"));
  }

  @Test
  void anAnswerWithoutAResponseIdGetsAFreshIdEachTime() {
    JsonNode body = parse("{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"hi\"}]}, \"finishReason\": \"STOP\"}]}");
    JsonNode first = answeredBody(body);
    JsonNode second = answeredBody(body);
    assertTrue(first.path("id").asText().startsWith("chatcmpl-gemini-"), first.toString());
    assertNotEquals(first.path("id"), second.path("id"));
    assertEquals("gemini-upstream", first.path("model").asText(), "the upstream model when Gemini names no version");
  }

  private JsonNode answeredBody(JsonNode body) {
    CallResult result = codec.answer(200, body, "gemini-upstream");
    return assertInstanceOf(CallResult.Answered.class, result, result.toString()).response().body();
  }

  @Test
  void anAnswerCutByMaxTokensFinishesWithLength() {
    ChatResponse response = answered("response-max-tokens.json");
    assertEquals("length", response.body().path("choices").get(0).path("finish_reason").asText());
    assertEquals("Once upon a time, in a land", response.body().path("choices").get(0).path("message").path("content").asText());
  }

  @Test
  void anAnswerStoppedBySafetyIsAnEmptyContentFilteredChoice() {
    ChatResponse response = answered("response-safety.json");
    assertEquals("content_filter", response.body().path("choices").get(0).path("finish_reason").asText());
    assertEquals("", response.body().path("choices").get(0).path("message").path("content").asText());
    assertEquals(new Usage(9, 0, 9, 0), response.usage());
  }

  @ParameterizedTest(name = "{0} is {2}")
  @CsvSource({
      "STOP, false, stop", "STOP, true, tool_calls", "MAX_TOKENS, false, length", "MAX_TOKENS, true, length",
      "SAFETY, false, content_filter", "RECITATION, false, content_filter", "BLOCKLIST, false, content_filter",
      "PROHIBITED_CONTENT, false, content_filter", "SPII, false, content_filter", "IMAGE_SAFETY, false, content_filter",
      "MALFORMED_FUNCTION_CALL, false, stop", "LANGUAGE, false, stop", "OTHER, false, stop", "'', false, stop"})
  void everyFinishReasonMapsToOpenAis(String gemini, boolean calledFunctions, String openAi) {
    assertEquals(openAi, GeminiAnswers.finishReason(gemini, calledFunctions));
  }

  @Test
  void aBlockedPromptIsAContentPolicyFailure() {
    ProviderFailure failure = failed(json("response-prompt-blocked.json"));
    assertEquals(FailureKind.CONTENT_POLICY, failure.kind());
    assertEquals("PROHIBITED_CONTENT", failure.errorType());
    assertTrue(failure.message().contains("PROHIBITED_CONTENT"), failure.message());
    assertTrue(!failure.kind().failsOver(), "the caller's prompt: no other provider is tried");
  }

  @Test
  void aBodyThatIsNotAGeminiAnswerIsAServerError() {
    assertEquals(FailureKind.SERVER_ERROR, failed(parse("{\"choices\": []}")).kind());
    assertEquals(FailureKind.SERVER_ERROR, failed(MissingNode.getInstance()).kind());
    assertEquals(FailureKind.SERVER_ERROR, failed(parse("{\"candidates\": []}")).kind());
  }
}
