package detour.providers.anthropic;

import static detour.providers.anthropic.AnthropicFixtures.JSON;
import static detour.providers.anthropic.AnthropicFixtures.content;
import static detour.providers.anthropic.AnthropicFixtures.events;
import static detour.providers.anthropic.AnthropicFixtures.translate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.persistence.breaker.FailureKind;
import detour.providers.client.StreamTranslator;
import detour.providers.model.ProviderStreamException;
import detour.providers.sse.SseEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Anthropic event streams, through the SSE parser, read as OpenAI chunks; and how they fail. */
class AnthropicStreamTranslatorTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  private final AnthropicCodec codec = new AnthropicCodec(AnthropicFixtures.CLOCK);

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aTextStreamBecomesRoleContentFinishAndUsageChunks() throws Exception {
    List<ObjectNode> chunks = translate(codec.streamTranslator("claude-test"),
        events("stream-text.sse", testKit.system()));
    for (ObjectNode chunk : chunks) {
      assertEquals("msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", chunk.path("id").asText());
      assertEquals("chat.completion.chunk", chunk.path("object").asText());
      assertEquals("claude-sonnet-4-5-20250929", chunk.path("model").asText());
      assertEquals(AnthropicFixtures.NOW.getEpochSecond(), chunk.path("created").asLong());
    }
    assertEquals("assistant", delta(chunks.get(0)).path("role").asText());
    assertEquals("Hello! How can I help?", content(chunks));
    assertEquals(List.of("stop"), finishReasons(chunks));
    ObjectNode last = chunks.get(chunks.size() - 1);
    assertEquals(0, last.path("choices").size(), "the usage chunk has no choices");
    assertEquals(325, last.path("usage").path("prompt_tokens").asInt());
    assertEquals(15, last.path("usage").path("completion_tokens").asInt());
    assertEquals(300, last.path("usage").path("prompt_tokens_details").path("cached_tokens").asInt());
    assertEquals(1 + 3 + 1 + 1, chunks.size(), "role, three deltas, finish, usage");
  }

  @Test
  void toolUseBlocksBecomeToolCallsNumberedAmongToolCallsWithTheirArgumentsReassembled() throws Exception {
    List<ObjectNode> chunks = translate(codec.streamTranslator("claude-test"),
        events("stream-tool-use.sse", testKit.system()));
    assertEquals("Checking the weather and the time.", content(chunks), "thinking is dropped, text kept");
    Map<Integer, String[]> calls = toolCalls(chunks);
    assertEquals(List.of(0, 1), List.copyOf(calls.keySet()), "OpenAI indexes count tool calls, not blocks");
    assertEquals("toolu_01T1x1fJ34qAmk2tNTrN7Up6", calls.get(0)[0]);
    assertEquals("get_weather", calls.get(0)[1]);
    assertEquals("{\"city\": \"San Francisco, CA\", \"unit\": \"fahrenheit\"}", calls.get(0)[2]);
    assertEquals("toolu_01B", calls.get(1)[0]);
    assertEquals("get_time", calls.get(1)[1]);
    assertEquals("{}", calls.get(1)[2], "a tool without input deltas gets its start's input");
    assertEquals(List.of("tool_calls"), finishReasons(chunks));
    ObjectNode last = chunks.get(chunks.size() - 1);
    assertEquals(472, last.path("usage").path("prompt_tokens").asInt());
    assertEquals(89, last.path("usage").path("completion_tokens").asInt());
  }

  @Test
  void theForcedJsonToolStreamsAsContent() throws Exception {
    List<ObjectNode> chunks = translate(codec.streamTranslator("claude-test"),
        events("stream-json-response.sse", testKit.system()));
    assertEquals(JSON.readTree("{\"name\":\"Ada Lovelace\",\"born\":1815}"), JSON.readTree(content(chunks)));
    assertTrue(toolCalls(chunks).isEmpty());
    assertEquals(List.of("stop"), finishReasons(chunks));
  }

  @Test
  void anErrorEventFailsTheStreamAsOverloaded() throws Exception {
    StreamTranslator translator = codec.streamTranslator("claude-test");
    ProviderStreamException thrown = assertThrows(ProviderStreamException.class,
        () -> translate(translator, events("stream-error.sse", testKit.system())));
    assertEquals(FailureKind.OVERLOADED, thrown.failure().kind());
    assertEquals("overloaded_error", thrown.failure().errorType());
    assertEquals("Overloaded", thrown.failure().message());
  }

  @Test
  void anErrorEventEchoingAKeyLeavesNoTraceOfIt() {
    StreamTranslator translator = started();
    ProviderStreamException thrown = assertThrows(ProviderStreamException.class, () -> translator.onEvent(
        new SseEvent("error", "{\"type\":\"error\",\"error\":{\"type\":\"sk-ant-api03-EchoedKey0123\","
            + "\"message\":\"key sk-ant-api03-EchoedKey0123 is overloaded\"}}")));
    assertEquals("", thrown.failure().errorType());
    assertEquals("key *** is overloaded", thrown.failure().message());
    assertTrue(!thrown.getMessage().contains("EchoedKey"), thrown.getMessage());
  }

  @Test
  void aRateLimitErrorEventFailsTheStreamAsRateLimited() {
    StreamTranslator translator = started();
    ProviderStreamException thrown = assertThrows(ProviderStreamException.class, () -> translator.onEvent(
        new SseEvent("error",
            "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow down\"}}")));
    assertEquals(FailureKind.RATE_LIMITED, thrown.failure().kind());
  }

  @Test
  void aStreamCutShortBeforeMessageStopIsAConnectionResetSayingHowFarItGot() throws Exception {
    List<SseEvent> events = events("stream-text.sse", testKit.system());
    StreamTranslator translator = codec.streamTranslator("claude-test");
    List<ObjectNode> chunks = new ArrayList<>();
    for (SseEvent event : events.subList(0, 5)) {
      chunks.addAll(translator.onEvent(event));
    }
    assertEquals("Hello! How can", content(chunks));
    ProviderStreamException thrown = assertThrows(ProviderStreamException.class, translator::onClose);
    assertEquals(FailureKind.CONNECTION_RESET, thrown.failure().kind());
    assertTrue(thrown.failure().message().contains("after 3 chunks"), thrown.failure().message());
  }

  @Test
  void malformedEventDataIsAServerError() {
    StreamTranslator translator = started();
    ProviderStreamException thrown = assertThrows(ProviderStreamException.class,
        () -> translator.onEvent(new SseEvent("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":")));
    assertEquals(FailureKind.SERVER_ERROR, thrown.failure().kind());
    assertTrue(thrown.failure().message().contains("not a JSON object after 1 chunks"), thrown.failure().message());
  }

  @Test
  void contentBeforeMessageStartIsAServerError() {
    StreamTranslator translator = codec.streamTranslator("claude-test");
    ProviderStreamException thrown = assertThrows(ProviderStreamException.class, () -> translator.onEvent(
        new SseEvent("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
            + "\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}")));
    assertEquals(FailureKind.SERVER_ERROR, thrown.failure().kind());
  }

  @Test
  void eventsWithoutAnEventNameAreReadByTheirDataType() {
    StreamTranslator translator = codec.streamTranslator("claude-test");
    List<ObjectNode> chunks = new ArrayList<>();
    chunks.addAll(translator.onEvent(new SseEvent("", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
        + "\"model\":\"claude-test\",\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}")));
    chunks.addAll(translator.onEvent(new SseEvent("", "{\"type\":\"content_block_delta\",\"index\":0,"
        + "\"delta\":{\"type\":\"text_delta\",\"text\":\"ok\"}}")));
    chunks.addAll(translator.onEvent(new SseEvent("", "{\"type\":\"something_new\"}")));
    chunks.addAll(translator.onEvent(new SseEvent("", "{\"type\":\"message_stop\"}")));
    chunks.addAll(translator.onClose());
    assertEquals("ok", content(chunks));
    assertEquals(List.of("stop"), finishReasons(chunks), "a stop without message_delta still finishes the choice");
    assertEquals(3, chunks.get(chunks.size() - 1).path("usage").path("prompt_tokens").asInt());
  }

  @Test
  void unknownEventTypesAndPingsAreIgnoredEvenWithDataThatIsNotJson() {
    StreamTranslator translator = started();
    assertEquals(List.of(), translator.onEvent(new SseEvent("ping", "")));
    assertEquals(List.of(), translator.onEvent(new SseEvent("future_event", "not json at all")));
  }

  private StreamTranslator started() {
    StreamTranslator translator = codec.streamTranslator("claude-test");
    translator.onEvent(new SseEvent("message_start",
        "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"usage\":{\"input_tokens\":3}}}"));
    return translator;
  }

  private static JsonNode delta(JsonNode chunk) {
    return chunk.path("choices").path(0).path("delta");
  }

  private static List<String> finishReasons(List<ObjectNode> chunks) {
    List<String> reasons = new ArrayList<>();
    for (ObjectNode chunk : chunks) {
      JsonNode reason = chunk.path("choices").path(0).path("finish_reason");
      if (reason.isTextual()) reasons.add(reason.asText());
    }
    return reasons;
  }

  /** Tool calls by index: id, name, and the arguments' fragments joined. */
  private static Map<Integer, String[]> toolCalls(List<ObjectNode> chunks) {
    Map<Integer, String[]> calls = new LinkedHashMap<>();
    for (ObjectNode chunk : chunks) {
      for (JsonNode call : delta(chunk).path("tool_calls")) {
        String[] known = calls.computeIfAbsent(call.path("index").asInt(), i -> new String[] {"", "", ""});
        if (call.has("id")) known[0] = call.path("id").asText();
        JsonNode function = call.path("function");
        if (function.has("name")) known[1] = function.path("name").asText();
        known[2] += function.path("arguments").asText("");
      }
    }
    return calls;
  }
}
