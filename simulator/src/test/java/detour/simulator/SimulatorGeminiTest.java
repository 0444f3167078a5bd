package detour.simulator;

import static detour.simulator.SimClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import detour.simulator.testing.SimulatorExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Gemini generateContent and streamGenerateContent over real HTTP. */
class SimulatorGeminiTest {

  @RegisterExtension static final SimulatorExtension simulator = new SimulatorExtension("a");
  private static SimulatedInstance a;
  private static final SimClient client = new SimClient();

  @BeforeAll
  static void findInstance() {
    a = simulator.instance("a");
  }

  @Test
  void generateContentAnswersWithAGenerateContentResponse() {
    String body =
        "{\"systemInstruction\":{\"parts\":[{\"text\":\"Be terse.\"}]},"
            + "\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hello there\"}]}]}";

    HttpResponse<String> response = client.chat(a, Wire.GEMINI, body);

    assertEquals(200, response.statusCode());
    JsonNode answer = json(response.body());
    JsonNode candidate = answer.get("candidates").get(0);
    assertEquals("model", candidate.at("/content/role").asText());
    assertEquals(
        "Simulated answer from sim instance 'a' to 1 message.",
        candidate.at("/content/parts/0/text").asText());
    assertEquals("STOP", candidate.get("finishReason").asText());
    assertEquals(0, candidate.get("index").asInt());
    JsonNode usage = answer.get("usageMetadata");
    // (4 + ceil(11/4)) + system (4 + ceil(9/4))
    assertEquals(14, usage.get("promptTokenCount").asInt());
    assertEquals(13, usage.get("candidatesTokenCount").asInt());
    assertEquals(27, usage.get("totalTokenCount").asInt());
    assertEquals("gemini-test", answer.get("modelVersion").asText());
    assertEquals(1, a.stats().gemini());
  }

  @Test
  void apiKeyComesByHeaderOrQueryElse403PermissionDenied() {
    String url = Wire.GEMINI.url(a, false);
    HttpResponse<String> byQuery = post(url + "?key=AIza-test", null);
    HttpResponse<String> none = post(url, null);

    assertEquals(200, byQuery.statusCode());
    assertEquals(403, none.statusCode());
    JsonNode error = json(none.body()).get("error");
    assertEquals(403, error.get("code").asInt());
    assertEquals("PERMISSION_DENIED", error.get("status").asText());
    assertTrue(error.get("message").asText().contains("API key"));
    assertEquals(1, a.stats().invalid());
  }

  @Test
  void bodyWithoutContentsIsInvalidArgument() {
    HttpResponse<String> refused = client.chat(a, Wire.GEMINI, "{\"contents\":[]}");

    assertEquals(400, refused.statusCode());
    assertEquals("INVALID_ARGUMENT", json(refused.body()).at("/error/status").asText());
  }

  @Test
  void streamSendsPartialCandidatesAndEndsWithoutDone() {
    SseEvents.Result result = client.streamAll(a, Wire.GEMINI, null);

    assertTrue(result.failure().isEmpty());
    List<SseEvents.Event> events = result.events();
    assertEquals(5, events.size(), result.data().toString());
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < events.size(); i++) {
      SseEvents.Event event = events.get(i);
      assertEquals(null, event.name(), "Gemini names no events");
      JsonNode chunk = event.json();
      JsonNode candidate = chunk.get("candidates").get(0);
      assertEquals("model", candidate.at("/content/role").asText());
      text.append(candidate.at("/content/parts/0/text").asText());
      boolean last = i == events.size() - 1;
      assertEquals(last, candidate.has("finishReason"), "only the last has the finish reason");
      assertEquals(last, chunk.has("usageMetadata"), "only the last has the usage");
    }
    assertEquals("Simulated answer from sim instance 'a' to 1 message.", text.toString());
    JsonNode last = events.get(4).json();
    assertEquals("STOP", last.at("/candidates/0/finishReason").asText());
    assertEquals(20, last.at("/usageMetadata/totalTokenCount").asInt());
    assertEquals(1, a.stats().streams());
  }

  @Test
  void streamWithoutAltSseIsRefused() {
    String url = Wire.GEMINI.url(a, true).replace("?alt=sse", "?key=AIza-test");

    HttpResponse<String> refused = post(url, null);

    assertEquals(400, refused.statusCode());
    assertTrue(json(refused.body()).at("/error/message").asText().contains("alt=sse"));
  }

  @Test
  void declaredFunctionIsCalledWholeStreamedOrNot() {
    JsonNode answer =
        json(client.chat(a, Wire.GEMINI, Wire.GEMINI.body(false, Wire.GEMINI.toolsField())).body());
    SseEvents.Result stream =
        client.streamAll(a, Wire.GEMINI, Wire.GEMINI.body(true, Wire.GEMINI.toolsField()));

    JsonNode call = answer.at("/candidates/0/content/parts/0/functionCall");
    assertEquals("get_weather", call.get("name").asText());
    assertEquals(json("{\"city\":\"sim\",\"unit\":\"sim\"}"), call.get("args"));
    assertEquals("STOP", answer.at("/candidates/0/finishReason").asText());
    assertEquals(1, stream.events().size(), "the call comes whole, in one chunk");
    JsonNode streamed = stream.events().get(0).json();
    assertEquals(call, streamed.at("/candidates/0/content/parts/0/functionCall"));
    assertTrue(streamed.has("usageMetadata"));
  }

  @Test
  void functionResponseAsLastContentGetsText() {
    String body =
        "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Weather?\"}]},"
            + "{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":\"get_weather\","
            + "\"args\":{}}}]},{\"role\":\"user\",\"parts\":[{\"functionResponse\":{"
            + "\"name\":\"get_weather\",\"response\":{\"sky\":\"sunny\"}}}]}]"
            + Wire.GEMINI.toolsField()
            + "}";

    JsonNode answer = json(client.chat(a, Wire.GEMINI, body).body());

    JsonNode part = answer.at("/candidates/0/content/parts/0");
    assertTrue(part.has("text"));
    assertFalse(part.has("functionCall"));
  }

  @Test
  void maxOutputTokensCutsTheAnswerWithMaxTokens() {
    JsonNode answer =
        json(
            client
                .chat(
                    a,
                    Wire.GEMINI,
                    Wire.GEMINI.body(false, ",\"generationConfig\":{\"maxOutputTokens\":3}"))
                .body());

    assertEquals("MAX_TOKENS", answer.at("/candidates/0/finishReason").asText());
    assertEquals("Simulated an", answer.at("/candidates/0/content/parts/0/text").asText());
    assertEquals(3, answer.at("/usageMetadata/candidatesTokenCount").asInt());
  }

  @Test
  void rateLimitIsResourceExhaustedWithRetryInfoAndNoRetryAfterHeader() {
    client.behave(a, "{\"mode\":\"rate-limit\",\"retry_after_seconds\":7}");
    HttpResponse<String> limited = client.chat(a, Wire.GEMINI, null);
    client.behave(a, "{\"mode\":\"error\",\"status\":500}");
    HttpResponse<String> internal = client.chat(a, Wire.GEMINI, null);

    assertEquals(429, limited.statusCode());
    JsonNode error = json(limited.body()).get("error");
    assertEquals(429, error.get("code").asInt());
    assertEquals("RESOURCE_EXHAUSTED", error.get("status").asText());
    assertEquals("type.googleapis.com/google.rpc.RetryInfo", error.at("/details/0/@type").asText());
    assertEquals("7s", error.at("/details/0/retryDelay").asText());
    assertTrue(limited.headers().firstValue("Retry-After").isEmpty());
    assertEquals(500, internal.statusCode());
    assertEquals("INTERNAL", json(internal.body()).at("/error/status").asText());
  }

  private HttpResponse<String> post(String url, String body) {
    return client.send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(SimClient.TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(BodyPublishers.ofString(body == null ? Wire.GEMINI.body(false, "") : body))
            .build());
  }
}
