package detour.providers.gemini;

import static detour.providers.gemini.GeminiFixtures.bytes;
import static detour.providers.gemini.GeminiFixtures.parse;
import static detour.providers.gemini.GeminiFixtures.reparsed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.stream.Materializer;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.persistence.breaker.FailureKind;
import detour.providers.client.StreamTranslator;
import detour.providers.model.ProviderFailure;
import detour.providers.model.ProviderStreamException;
import detour.providers.sse.SseEvent;
import detour.providers.sse.SseParser;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Gemini's SSE stream, parsed by the shared SSE parser, in as OpenAI chunks. */
class GeminiStreamTranslatorTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  static final Materializer MATERIALIZER = Materializer.matFromSystem(testKit.system());
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T15:00:00Z"), ZoneOffset.UTC);

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** The fixture's events, the bytes cut into small pieces as a network would deliver them. */
  static List<SseEvent> events(String fixture) throws Exception {
    byte[] all = bytes(fixture);
    List<ByteString> pieces = new ArrayList<>();
    for (int at = 0; at < all.length; at += 37) {
      pieces.add(ByteString.fromArray(Arrays.copyOfRange(all, at, Math.min(all.length, at + 37))));
    }
    return Source.from(pieces).via(SseParser.flow(1024 * 1024)).runWith(Sink.seq(), MATERIALIZER)
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  static List<ObjectNode> translate(List<SseEvent> events) {
    StreamTranslator translator = new GeminiCodec(CLOCK).streamTranslator("gemini-upstream");
    List<ObjectNode> chunks = new ArrayList<>();
    for (SseEvent event : events) chunks.addAll(translator.onEvent(event));
    chunks.addAll(translator.onClose());
    return chunks;
  }

  static JsonNode delta(ObjectNode chunk) {
    return chunk.path("choices").path(0).path("delta");
  }

  @Test
  void aTextStreamBecomesRoleContentFinishAndUsageChunks() throws Exception {
    List<SseEvent> events = events("stream-text.sse");
    assertEquals(4, events.size());
    List<ObjectNode> chunks = translate(events);

    assertEquals(6, chunks.size(), chunks.toString());
    assertEquals(parse("""
        {"id": "chatcmpl-gemini-st-text-1", "object": "chat.completion.chunk", "created": 1795618800,
         "model": "gemini-2.5-flash",
         "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": null}]}"""),
        reparsed(chunks.get(0)));
    StringBuilder text = new StringBuilder();
    for (ObjectNode chunk : chunks.subList(1, 4)) text.append(delta(chunk).path("content").asText());
    assertEquals("Hello, world!", text.toString(), "the thought is left out");
    assertEquals("stop", chunks.get(4).path("choices").path(0).path("finish_reason").asText());
    assertEquals(parse("""
        {"id": "chatcmpl-gemini-st-text-1", "object": "chat.completion.chunk", "created": 1795618800,
         "model": "gemini-2.5-flash", "choices": [],
         "usage": {"prompt_tokens": 7, "completion_tokens": 16, "total_tokens": 23,
                   "prompt_tokens_details": {"cached_tokens": 2},
                   "completion_tokens_details": {"reasoning_tokens": 12}}}"""),
        reparsed(chunks.get(5)), "the last usage seen, in the last chunk");
  }

  @Test
  void functionCallsReassembleIntoToolCallsThatFinishWithToolCalls() throws Exception {
    List<ObjectNode> chunks = translate(events("stream-function-call.sse"));

    StringBuilder content = new StringBuilder();
    List<ObjectNode> calls = new ArrayList<>();  // reassembled as an OpenAI client does, by index
    String finish = null;
    for (ObjectNode chunk : chunks) {
      JsonNode choice = chunk.path("choices").path(0);
      content.append(choice.path("delta").path("content").asText(""));
      for (JsonNode fragment : choice.path("delta").path("tool_calls")) {
        int index = fragment.path("index").asInt();
        if (index == calls.size()) {
          calls.add(fragment.deepCopy());
        } else {
          ObjectNode function = (ObjectNode) calls.get(index).get("function");
          function.put("arguments", function.path("arguments").asText() + fragment.path("function").path("arguments").asText());
        }
      }
      if (choice.path("finish_reason").isTextual()) finish = choice.path("finish_reason").asText();
    }

    assertEquals("Checking the weather.", content.toString());
    assertEquals(parse("""
        [{"index": 0, "id": "call_st-fc-1_0", "type": "function",
          "function": {"name": "get_weather", "arguments": "{\\"city\\":\\"Paris\\",\\"unit\\":\\"celsius\\"}"},
          "extra_content": {"google": {"thought_signature": "EpQDCpEDAXLI2nz4"}}},
         {"index": 1, "id": "call_st-fc-1_1", "type": "function",
          "function": {"name": "get_weather", "arguments": "{\\"city\\":\\"Berlin\\",\\"unit\\":\\"celsius\\"}"}}]"""),
        parse(calls.toString()));
    assertEquals("tool_calls", finish);
    ObjectNode last = chunks.get(chunks.size() - 1);
    assertTrue(last.path("choices").isEmpty(), "usage comes last");
    assertEquals(94, last.path("usage").path("total_tokens").asInt());
  }

  @Test
  void aStreamThatEndsWithoutAFinishReasonIsCutShort() throws Exception {
    List<SseEvent> events = events("stream-text.sse").subList(0, 3);
    StreamTranslator translator = new GeminiCodec(CLOCK).streamTranslator("gemini-upstream");
    for (SseEvent event : events) translator.onEvent(event);
    ProviderFailure failure = assertThrows(ProviderStreamException.class, translator::onClose).failure();
    assertEquals(FailureKind.CONNECTION_RESET, failure.kind());
    assertTrue(failure.message().contains("after 3 chunks"), failure.message());
  }

  @ParameterizedTest(name = "{0} is {2}")
  @CsvSource({
      "UNAVAILABLE, The model is overloaded., OVERLOADED",
      "RESOURCE_EXHAUSTED, Resource has been exhausted., RATE_LIMITED",
      "INTERNAL, An internal error has occurred., SERVER_ERROR"})
  void anErrorInsideTheStreamIsClassifiedByItsStatus(String status, String message, FailureKind kind) {
    StreamTranslator translator = new GeminiCodec(CLOCK).streamTranslator("gemini-upstream");
    translator.onEvent(new SseEvent("", "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hel\"}]}}]}"));
    String error = "{\"error\": {\"message\": \"" + message + "\", \"status\": \"" + status + "\"}}";
    ProviderFailure failure = assertThrows(ProviderStreamException.class,
        () -> translator.onEvent(new SseEvent("", error))).failure();
    assertEquals(kind, failure.kind());
    assertEquals(message, failure.message());
  }

  @Test
  void aMalformedEventIsAServerError() {
    StreamTranslator translator = new GeminiCodec(CLOCK).streamTranslator("gemini-upstream");
    ProviderFailure notJson = assertThrows(ProviderStreamException.class,
        () -> translator.onEvent(new SseEvent("", "{\"candidates\": [{\"content\""))).failure();
    assertEquals(FailureKind.SERVER_ERROR, notJson.kind());
    assertTrue(notJson.message().contains("not JSON"), notJson.message());
    ProviderFailure notAnObject = assertThrows(ProviderStreamException.class,
        () -> translator.onEvent(new SseEvent("", "[1, 2]"))).failure();
    assertEquals(FailureKind.SERVER_ERROR, notAnObject.kind());
  }

  @Test
  void aPromptBlockedAtTheStartOfTheStreamIsAContentPolicyFailure() {
    StreamTranslator translator = new GeminiCodec(CLOCK).streamTranslator("gemini-upstream");
    ProviderFailure failure = assertThrows(ProviderStreamException.class, () -> translator.onEvent(
        new SseEvent("", "{\"promptFeedback\": {\"blockReason\": \"SAFETY\"}, \"usageMetadata\": {\"promptTokenCount\": 3}}")))
        .failure();
    assertEquals(FailureKind.CONTENT_POLICY, failure.kind());
  }

  @Test
  void aUsageOnlyEventAfterTheFinishUpdatesTheUsageAndNothingElse() {
    StreamTranslator translator = new GeminiCodec(CLOCK).streamTranslator("gemini-upstream");
    translator.onEvent(new SseEvent("", "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hi\"}]}, \"finishReason\": \"STOP\"}],"
        + " \"usageMetadata\": {\"promptTokenCount\": 3, \"candidatesTokenCount\": 1, \"totalTokenCount\": 4}}"));
    assertEquals(List.of(), translator.onEvent(new SseEvent("",
        "{\"usageMetadata\": {\"promptTokenCount\": 3, \"candidatesTokenCount\": 2, \"totalTokenCount\": 5}}")));
    List<ObjectNode> end = translator.onClose();
    assertEquals(1, end.size());
    assertEquals(2, end.get(0).path("usage").path("completion_tokens").asInt());
    assertFalse(end.get(0).path("usage").has("completion_tokens_details"), "no thinking tokens were reported");
  }

  @Test
  void aStreamWithoutUsageEndsWithItsFinishChunk() {
    StreamTranslator translator = new GeminiCodec(CLOCK).streamTranslator("gemini-upstream");
    List<ObjectNode> chunks = translator.onEvent(new SseEvent("",
        "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"\"}]}, \"finishReason\": \"MAX_TOKENS\"}]}"));
    assertEquals(2, chunks.size(), "the role chunk, then the finish: an empty text makes no chunk");
    assertEquals("length", chunks.get(1).path("choices").path(0).path("finish_reason").asText());
    assertEquals(List.of(), translator.onClose());
  }
}
