package detour.simulator;

import static detour.simulator.SimClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import detour.simulator.testing.SimulatorExtension;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** OpenAI chat completions over real HTTP: streams, usage, tool calls and the answer's shape. */
class SimulatorOpenAiStreamTest {

  private static final String FULL_TEXT = "Simulated answer from sim instance 'a' to 1 message.";

  @RegisterExtension static final SimulatorExtension simulator = new SimulatorExtension("a");
  private static SimulatedInstance a;
  private static final SimClient client = new SimClient();

  @BeforeAll
  static void findInstance() {
    a = simulator.instance("a");
  }

  @Test
  void streamSendsRoleChunkContentChunksFinishChunkThenDone() {
    HttpResponse<InputStream> response = client.stream(a, Wire.OPENAI, null);
    assertEquals(200, response.statusCode());
    assertTrue(
        response
            .headers()
            .firstValue("Content-Type")
            .orElseThrow()
            .startsWith("text/event-stream"));
    SseEvents.Result result = SseEvents.readAll(response.body());

    assertTrue(result.failure().isEmpty(), result.failure().toString());
    List<SseEvents.Event> events = result.events();
    assertEquals(1 + 5 + 1 + 1, events.size(), result.data().toString());
    assertEquals("[DONE]", events.get(events.size() - 1).data());
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < events.size() - 1; i++) {
      JsonNode chunk = events.get(i).json();
      assertEquals("chat.completion.chunk", chunk.get("object").asText());
      assertEquals("chatcmpl-sim-a-1", chunk.get("id").asText());
      assertEquals("gpt-test", chunk.get("model").asText());
      assertFalse(chunk.has("usage"), "no usage unless asked for");
      JsonNode choice = chunk.get("choices").get(0);
      assertEquals(0, choice.get("index").asInt());
      JsonNode delta = choice.get("delta");
      if (i == 0) {
        assertEquals("assistant", delta.get("role").asText());
        assertEquals("", delta.get("content").asText());
        assertTrue(choice.get("finish_reason").isNull());
      } else if (i < events.size() - 2) {
        assertFalse(delta.has("role"));
        assertTrue(choice.get("finish_reason").isNull());
        text.append(delta.get("content").asText());
      } else {
        assertTrue(delta.isEmpty(), "the finish chunk's delta is empty: " + delta);
        assertEquals("stop", choice.get("finish_reason").asText());
      }
    }
    assertEquals(FULL_TEXT, text.toString());
    InstanceStats stats = a.stats();
    assertEquals(1, stats.streams());
    assertEquals(1, stats.openai());
    assertEquals(1, stats.ok());
  }

  @Test
  void includeUsageAddsAUsageChunkWithNoChoicesBeforeDone() {
    SseEvents.Result result =
        client.streamAll(
            a, Wire.OPENAI, Wire.OPENAI.body(true, ",\"stream_options\":{\"include_usage\":true}"));

    List<SseEvents.Event> events = result.events();
    assertEquals("[DONE]", events.get(events.size() - 1).data());
    JsonNode usageChunk = events.get(events.size() - 2).json();
    assertTrue(usageChunk.get("choices").isArray() && usageChunk.get("choices").isEmpty());
    JsonNode usage = usageChunk.get("usage");
    // The same counts as the non-streamed answer: prompt 4 + ceil(11/4), completion ceil(52/4).
    assertEquals(7, usage.get("prompt_tokens").asInt());
    assertEquals(13, usage.get("completion_tokens").asInt());
    assertEquals(20, usage.get("total_tokens").asInt());
    assertEquals(0, usage.get("prompt_tokens_details").get("cached_tokens").asInt());
    for (SseEvents.Event event : events.subList(0, events.size() - 2)) {
      assertTrue(event.json().get("usage").isNull(), "other chunks carry usage:null");
    }
    assertEquals(
        "stop", events.get(events.size() - 3).json().at("/choices/0/finish_reason").asText());
  }

  @Test
  void nonStreamedUsageReportsCachedTokens() {
    JsonNode answer = json(client.chat(a, Wire.OPENAI, null).body());

    JsonNode usage = answer.get("usage");
    assertEquals(7, usage.get("prompt_tokens").asInt());
    assertEquals(13, usage.get("completion_tokens").asInt());
    assertEquals(20, usage.get("total_tokens").asInt());
    assertEquals(0, usage.get("prompt_tokens_details").get("cached_tokens").asInt());
  }

  @Test
  void chunksFieldSetsHowManyContentChunksAStreamSends() {
    client.behave(a, "{\"mode\":\"ok\",\"chunks\":3}");
    SseEvents.Result three = client.streamAll(a, Wire.OPENAI, null);
    client.behave(a, "{\"mode\":\"ok\",\"chunks\":1}");
    SseEvents.Result one = client.streamAll(a, Wire.OPENAI, null);

    assertEquals(3, Wire.OPENAI.contentCount(three));
    assertEquals(1, Wire.OPENAI.contentCount(one));
    assertTrue(Wire.OPENAI.ended(three) && Wire.OPENAI.ended(one));
  }

  @Test
  void chunkIntervalAndFirstTokenDelayPaceTheStream() {
    client.behave(
        a, "{\"mode\":\"ok\",\"chunks\":3,\"chunk_interval_ms\":60,\"first_token_ms\":80}");

    long sent = System.nanoTime();
    SseEvents.Result result = client.streamAll(a, Wire.OPENAI, null);

    List<SseEvents.Event> content =
        result.events().stream().filter(Wire.OPENAI::isContent).toList();
    assertEquals(3, content.size());
    assertTrue(millis(sent, content.get(0).arrivedNanos()) >= 80, "first token after 80 ms");
    assertTrue(millis(content.get(0).arrivedNanos(), content.get(2).arrivedNanos()) >= 120);
  }

  @Test
  void answerBytesSetsTheLengthOfTheAnswerStreamedOrNot() {
    client.behave(a, "{\"mode\":\"ok\",\"answer_bytes\":10000}");

    JsonNode answer = json(client.chat(a, Wire.OPENAI, null).body());
    SseEvents.Result stream = client.streamAll(a, Wire.OPENAI, null);

    String text = answer.at("/choices/0/message/content").asText();
    assertEquals(10000, text.length());
    assertTrue(text.startsWith(FULL_TEXT + " " + FULL_TEXT));
    assertEquals(2500, answer.at("/usage/completion_tokens").asInt());
    StringBuilder streamed = new StringBuilder();
    stream.events().stream()
        .filter(Wire.OPENAI::isContent)
        .forEach(e -> streamed.append(e.json().at("/choices/0/delta/content").asText()));
    assertEquals(text, streamed.toString());
  }

  @Test
  void declaredToolIsCalledWithOneSimArgumentPerRequiredProperty() {
    JsonNode answer =
        json(client.chat(a, Wire.OPENAI, Wire.OPENAI.body(false, Wire.OPENAI.toolsField())).body());

    JsonNode choice = answer.get("choices").get(0);
    assertEquals("tool_calls", choice.get("finish_reason").asText());
    JsonNode message = choice.get("message");
    assertTrue(message.get("content").isNull());
    JsonNode call = message.get("tool_calls").get(0);
    assertEquals("call_sim_a_1", call.get("id").asText());
    assertEquals("function", call.get("type").asText());
    assertEquals("get_weather", call.get("function").get("name").asText());
    assertEquals(
        json("{\"city\":\"sim\",\"unit\":\"sim\"}"),
        json(call.get("function").get("arguments").asText()));
  }

  @Test
  void streamedToolCallComesAsToolCallDeltasWithArgumentsInFragments() {
    SseEvents.Result result =
        client.streamAll(a, Wire.OPENAI, Wire.OPENAI.body(true, Wire.OPENAI.toolsField()));

    List<SseEvents.Event> events = result.events();
    JsonNode first = events.get(0).json().at("/choices/0/delta");
    assertEquals("assistant", first.get("role").asText());
    JsonNode header = first.get("tool_calls").get(0);
    assertEquals(0, header.get("index").asInt());
    assertEquals("call_sim_a_1", header.get("id").asText());
    assertEquals("get_weather", header.get("function").get("name").asText());

    List<SseEvents.Event> fragments = events.stream().filter(Wire.OPENAI::isContent).toList();
    assertTrue(fragments.size() >= 2, "arguments in " + fragments.size() + " fragments");
    StringBuilder arguments = new StringBuilder();
    for (SseEvents.Event fragment : fragments) {
      JsonNode call = fragment.json().at("/choices/0/delta/tool_calls/0");
      assertEquals(0, call.get("index").asInt());
      assertFalse(call.has("id"), "only the first delta names the call");
      arguments.append(call.get("function").get("arguments").asText());
    }
    assertEquals(json("{\"city\":\"sim\",\"unit\":\"sim\"}"), json(arguments.toString()));
    assertEquals(
        "tool_calls", events.get(events.size() - 2).json().at("/choices/0/finish_reason").asText());
    assertTrue(Wire.OPENAI.ended(result));
  }

  @Test
  void toolResultAsLastMessageGetsATextAnswer() {
    String body =
        "{\"model\":\"m\""
            + Wire.OPENAI.toolsField()
            + ",\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"},"
            + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c1\","
            + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"arguments\":\"{}\"}}]},"
            + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"sunny\"}]}";

    JsonNode choice = json(client.chat(a, Wire.OPENAI, body).body()).get("choices").get(0);

    assertEquals("stop", choice.get("finish_reason").asText());
    assertEquals(
        "Simulated answer from sim instance 'a' to 3 messages.",
        choice.get("message").get("content").asText());
  }

  @Test
  void streamFlagThatIsNotABooleanIsRefused() {
    HttpResponse<String> refused =
        client.chat(a, Wire.OPENAI, "{\"stream\":\"yes\",\"messages\":[{\"content\":\"x\"}]}");

    assertEquals(400, refused.statusCode());
    assertEquals("stream", json(refused.body()).get("error").get("param").asText());
    assertEquals(1, a.stats().invalid());
  }

  private static long millis(long fromNanos, long toNanos) {
    return (toNanos - fromNanos) / 1_000_000;
  }
}
