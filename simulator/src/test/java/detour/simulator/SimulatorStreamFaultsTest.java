package detour.simulator;

import static detour.simulator.SimClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import detour.simulator.testing.SimulatorExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The stream fault modes, and the protocol-specific error modes, in each of the three protocols.
 */
class SimulatorStreamFaultsTest {

  @RegisterExtension static final SimulatorExtension simulator = new SimulatorExtension("a");
  private static SimulatedInstance a;
  private static final SimClient client = new SimClient();

  @BeforeAll
  static void findInstance() {
    a = simulator.instance("a");
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void streamDropSendsThatManyChunksThenCutsTheConnectionWithoutTheEnd(Wire wire) throws Exception {
    client.behave(a, "{\"mode\":\"stream-drop\",\"after_chunks\":2}");

    // On a plain socket: an HTTP client may drop the last bytes when it reports the cut.
    RawHttp.Response response = raw(wire, wire.body(true, ""));

    assertEquals(200, response.status());
    assertFalse(response.complete(), "no final chunk: the response is cut");
    SseEvents.Result result = response.events();
    assertEquals(2, wire.contentCount(result), result.data().toString());
    assertFalse(result.events().stream().anyMatch(wire::isEnd), "no terminating event");
    InstanceStats stats = a.stats();
    assertEquals(1, stats.dropped());
    assertEquals(0, stats.ok());
    assertEquals(0, stats.cancelled());
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void streamDropMakesAnHttpClientsReadFail(Wire wire) {
    client.behave(a, "{\"mode\":\"stream-drop\",\"after_chunks\":2}");

    SseEvents.Result result = client.streamAll(a, wire, null);

    assertTrue(result.failure().isPresent(), "the body ends in an I/O error, not cleanly");
    assertTrue(wire.contentCount(result) <= 2);
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void streamDropCutsANonStreamedAnswerInMidBody(Wire wire) {
    client.behave(a, "{\"mode\":\"stream-drop\",\"after_chunks\":0}");

    UncheckedIOException cut =
        assertThrows(UncheckedIOException.class, () -> client.chat(a, wire, null));

    assertTrue(cut.getCause() instanceof IOException, cut.toString());
    assertEquals(1, a.stats().dropped());
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void stallFirstTokenSendsHeadersThenDelaysTheWholeStream(Wire wire) {
    client.behave(a, "{\"mode\":\"stall-first-token\",\"ms\":250}");

    long sent = System.nanoTime();
    HttpResponse<InputStream> response = client.stream(a, wire, null);
    assertEquals(200, response.statusCode());
    SseEvents.Result result = SseEvents.readAll(response.body());

    assertTrue(millis(sent, result.events().get(0).arrivedNanos()) >= 250, "first event after");
    assertTrue(wire.ended(result), "then the stream goes on normally");
    assertEquals(5, wire.contentCount(result));
    assertEquals(1, a.stats().stalled());
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void stallFirstTokenDelaysANonStreamedAnswer(Wire wire) {
    client.behave(a, "{\"mode\":\"stall-first-token\",\"ms\":200}");

    long sent = System.nanoTime();
    HttpResponse<String> response = client.chat(a, wire, null);

    assertEquals(200, response.statusCode());
    assertTrue(millis(sent, System.nanoTime()) >= 200);
    assertTrue(json(response.body()).isObject());
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void stallBetweenPausesAfterTheChosenChunkThenFinishes(Wire wire) {
    client.behave(a, "{\"mode\":\"stall-between\",\"after_chunks\":2,\"ms\":250}");

    SseEvents.Result result = client.streamAll(a, wire, null);

    List<SseEvents.Event> content = result.events().stream().filter(wire::isContent).toList();
    assertEquals(5, content.size());
    assertTrue(millis(content.get(1).arrivedNanos(), content.get(2).arrivedNanos()) >= 250);
    assertTrue(wire.ended(result));
    assertEquals(1, a.stats().stalled());
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void stallBetweenPausesANonStreamedBodyHalfWay(Wire wire) {
    client.behave(a, "{\"mode\":\"stall-between\",\"after_chunks\":1,\"ms\":200}");

    long sent = System.nanoTime();
    HttpResponse<String> response = client.chat(a, wire, null);

    assertTrue(millis(sent, System.nanoTime()) >= 200);
    assertEquals(200, response.statusCode());
    assertTrue(json(response.body()).isObject(), "the whole body arrives in the end");
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void malformedStreamSendsADataLineThatIsNotJsonAfterTheFirstChunk(Wire wire) {
    client.behave(a, "{\"mode\":\"malformed\"}");

    SseEvents.Result result = client.streamAll(a, wire, null);

    List<SseEvents.Event> events = result.events();
    int first = events.indexOf(events.stream().filter(wire::isContent).findFirst().orElseThrow());
    SseEvents.Event broken = events.get(first + 1);
    assertFalse(broken.isJson(), "not JSON: " + broken.data());
    assertEquals(1, events.stream().filter(e -> !e.isJson() && !e.data().equals("[DONE]")).count());
    assertTrue(result.failure().isEmpty());
    assertEquals(1, a.stats().malformed());
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void malformedNonStreamedAnswerIs200WithABodyThatIsNotJson(Wire wire) {
    client.behave(a, "{\"mode\":\"malformed\"}");

    HttpResponse<String> response = client.chat(a, wire, null);

    assertEquals(200, response.statusCode());
    assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
    assertThrows(UncheckedIOException.class, () -> json(response.body()));
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void streamErrorEndsTheStreamWithTheProtocolsErrorEvent(Wire wire) {
    client.behave(a, "{\"mode\":\"stream-error\",\"after_chunks\":1}");

    SseEvents.Result result = client.streamAll(a, wire, null);

    assertTrue(result.failure().isEmpty(), "the stream ends cleanly, after the error event");
    assertEquals(1, wire.contentCount(result));
    assertFalse(result.events().stream().anyMatch(wire::isEnd));
    SseEvents.Event error = result.events().get(result.events().size() - 1);
    JsonNode data = error.json();
    switch (wire) {
      case OPENAI -> {
        assertEquals(null, error.name());
        assertEquals("server_error", data.at("/error/type").asText());
      }
      case ANTHROPIC -> {
        assertEquals("error", error.name());
        assertEquals(
            json(
                "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                    + "\"message\":\"Overloaded\"}}"),
            data);
      }
      case GEMINI -> {
        assertEquals(503, data.at("/error/code").asInt());
        assertEquals("UNAVAILABLE", data.at("/error/status").asText());
      }
    }
    assertEquals(1, a.stats().streamError());
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void contextLengthAnswersWithTheProtocolsOwnError(Wire wire) {
    client.behave(a, "{\"mode\":\"context-length\"}");

    HttpResponse<String> response = client.chat(a, wire, null);

    assertEquals(400, response.statusCode());
    JsonNode body = json(response.body());
    // The prompt ("Hello there") counts 7 tokens; it is reported as window + 7.
    switch (wire) {
      case OPENAI -> {
        assertEquals("context_length_exceeded", body.at("/error/code").asText());
        assertEquals("invalid_request_error", body.at("/error/type").asText());
        assertEquals("messages", body.at("/error/param").asText());
        assertTrue(
            body.at("/error/message")
                .asText()
                .startsWith(
                    "This model's maximum context length is 128000 tokens. However, your"
                        + " messages resulted in 128007 tokens."));
      }
      case ANTHROPIC -> {
        assertEquals("invalid_request_error", body.at("/error/type").asText());
        assertEquals(
            "prompt is too long: 200007 tokens > 200000 maximum",
            body.at("/error/message").asText());
      }
      case GEMINI -> {
        assertEquals("INVALID_ARGUMENT", body.at("/error/status").asText());
        assertEquals(
            "The input token count (1048583) exceeds the maximum number of tokens allowed"
                + " (1048576).",
            body.at("/error/message").asText());
      }
    }
    assertEquals(1, a.stats().error());
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void contextLengthTakesTheWindowItIsGiven(Wire wire) {
    client.behave(a, "{\"mode\":\"context-length\",\"limit_tokens\":4096}");

    String message = json(client.chat(a, wire, null).body()).at("/error/message").asText();

    assertTrue(message.contains("4096") && message.contains("4103"), message);
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void overloadedAnswersWithTheProtocolsOwnOverload(Wire wire) {
    client.behave(a, "{\"mode\":\"overloaded\"}");

    HttpResponse<String> response = client.chat(a, wire, null);
    HttpResponse<InputStream> streamed = client.stream(a, wire, null);

    JsonNode body = json(response.body());
    switch (wire) {
      case OPENAI -> {
        assertEquals(503, response.statusCode());
        assertEquals("server_error", body.at("/error/type").asText());
      }
      case ANTHROPIC -> {
        assertEquals(529, response.statusCode());
        assertEquals("overloaded_error", body.at("/error/type").asText());
        assertEquals("Overloaded", body.at("/error/message").asText());
      }
      case GEMINI -> {
        assertEquals(503, response.statusCode());
        assertEquals("UNAVAILABLE", body.at("/error/status").asText());
      }
    }
    assertEquals(response.statusCode(), streamed.statusCode(), "a stream fails the same way");
    assertEquals(2, a.stats().error());
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void streamErrorOnANonStreamedRequestIsTheOverloadedAnswer(Wire wire) {
    client.behave(a, "{\"mode\":\"stream-error\",\"after_chunks\":1}");

    HttpResponse<String> response = client.chat(a, wire, null);

    assertEquals(wire == Wire.ANTHROPIC ? 529 : 503, response.statusCode());
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void faultModesApplyToToolCallStreamsToo(Wire wire) throws Exception {
    client.behave(a, "{\"mode\":\"stream-drop\",\"after_chunks\":1}");

    RawHttp.Response response = raw(wire, wire.body(true, wire.toolsField()));

    assertEquals(1, wire.contentCount(response.events()));
    assertFalse(response.complete());
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void resetAndSlowApplyToEveryProtocol(Wire wire) {
    client.behave(a, "{\"mode\":\"reset\"}");
    assertThrows(UncheckedIOException.class, () -> client.chat(a, wire, null));
    client.behave(a, "{\"mode\":\"slow\",\"delay_ms\":150}");
    long sent = System.nanoTime();
    SseEvents.Result slow = client.streamAll(a, wire, null);

    assertTrue(millis(sent, slow.events().get(0).arrivedNanos()) >= 150);
    assertTrue(wire.ended(slow));
    InstanceStats stats = a.stats();
    assertEquals(1, stats.reset());
    assertEquals(1, stats.ok());
  }

  private static RawHttp.Response raw(Wire wire, String body) throws IOException {
    String url = wire.url(a, true);
    String target = url.substring(url.indexOf('/', "http://".length()));
    return RawHttp.post(a.port(), target, wire.credentials(), body);
  }

  private static long millis(long fromNanos, long toNanos) {
    return (toNanos - fromNanos) / 1_000_000;
  }
}
