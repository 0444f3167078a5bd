package detour.simulator;

import static detour.simulator.SimClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import detour.simulator.testing.SimulatorExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Anthropic Messages over real HTTP: headers, the Message object, its event stream, tool use. */
class SimulatorAnthropicTest {

  @RegisterExtension static final SimulatorExtension simulator = new SimulatorExtension("a");
  private static SimulatedInstance a;
  private static final SimClient client = new SimClient();

  @BeforeAll
  static void findInstance() {
    a = simulator.instance("a");
  }

  @Test
  void answersWithAMessageObject() {
    String body =
        "{\"model\":\"claude-test\",\"max_tokens\":1024,\"system\":\"Be terse.\","
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"},"
            + "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"Hi\"}]},"
            + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"More\"}]}]}";

    HttpResponse<String> response = client.chat(a, Wire.ANTHROPIC, body);

    assertEquals(200, response.statusCode());
    JsonNode message = json(response.body());
    assertEquals("msg_sim_a_1", message.get("id").asText());
    assertEquals("message", message.get("type").asText());
    assertEquals("assistant", message.get("role").asText());
    assertEquals("claude-test", message.get("model").asText());
    JsonNode block = message.get("content").get(0);
    assertEquals("text", block.get("type").asText());
    assertEquals(
        "Simulated answer from sim instance 'a' to 3 messages.", block.get("text").asText());
    assertEquals("end_turn", message.get("stop_reason").asText());
    assertTrue(message.get("stop_sequence").isNull());
    JsonNode usage = message.get("usage");
    // (4 + ceil(11/4)) + (4 + ceil(2/4)) + (4 + ceil(4/4)) + system (4 + ceil(9/4))
    assertEquals(24, usage.get("input_tokens").asInt());
    assertEquals(14, usage.get("output_tokens").asInt());
    assertEquals(0, usage.get("cache_read_input_tokens").asInt());
    assertEquals(0, usage.get("cache_creation_input_tokens").asInt());
    assertEquals(1, a.stats().anthropic());
    assertEquals(1, a.stats().ok());
  }

  @Test
  void missingApiKeyIs401AuthenticationErrorAndMissingVersionIs400() {
    HttpResponse<String> noKey =
        send(Map.of("anthropic-version", "2023-06-01"), Wire.ANTHROPIC.body(false, ""));
    HttpResponse<String> noVersion =
        send(Map.of("X-Api-Key", "sk-ant-test"), Wire.ANTHROPIC.body(false, ""));

    assertEquals(401, noKey.statusCode());
    assertError(noKey, "authentication_error", "x-api-key");
    assertEquals(400, noVersion.statusCode());
    assertError(noVersion, "invalid_request_error", "anthropic-version");
    InstanceStats stats = a.stats();
    assertEquals(2, stats.invalid());
    assertEquals(2, stats.anthropic());
    assertEquals(0, stats.ok());
  }

  @Test
  void bodyWithoutModelMaxTokensOrMessagesIsRefused() {
    assertError(
        client.chat(a, Wire.ANTHROPIC, "{\"max_tokens\":5,\"messages\":[{\"content\":\"x\"}]}"),
        "invalid_request_error",
        "model");
    assertError(
        client.chat(a, Wire.ANTHROPIC, "{\"model\":\"m\",\"messages\":[{\"content\":\"x\"}]}"),
        "invalid_request_error",
        "max_tokens");
    assertError(
        client.chat(a, Wire.ANTHROPIC, "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[]}"),
        "invalid_request_error",
        "messages");
    assertError(client.chat(a, Wire.ANTHROPIC, "not json"), "invalid_request_error", "JSON");
    assertEquals(4, a.stats().invalid());
  }

  @Test
  void streamSendsTheMessagesEventSequence() {
    SseEvents.Result result = client.streamAll(a, Wire.ANTHROPIC, null);

    assertTrue(result.failure().isEmpty());
    List<String> expected =
        new ArrayList<>(List.of("message_start", "content_block_start", "ping"));
    for (int i = 0; i < 5; i++) {
      expected.add("content_block_delta");
    }
    expected.addAll(List.of("content_block_stop", "message_delta", "message_stop"));
    assertEquals(expected, result.names());
    StringBuilder text = new StringBuilder();
    for (SseEvents.Event event : result.events()) {
      JsonNode data = event.json();
      assertEquals(event.name(), data.get("type").asText(), "the event is named after its type");
      if (event.name().equals("content_block_delta")) {
        assertEquals(0, data.get("index").asInt());
        assertEquals("text_delta", data.get("delta").get("type").asText());
        text.append(data.get("delta").get("text").asText());
      }
    }
    assertEquals("Simulated answer from sim instance 'a' to 1 message.", text.toString());
    JsonNode start = result.events().get(0).json().get("message");
    assertEquals("msg_sim_a_1", start.get("id").asText());
    assertTrue(start.get("content").isArray() && start.get("content").isEmpty());
    assertTrue(start.get("stop_reason").isNull());
    assertEquals(7, start.get("usage").get("input_tokens").asInt());
    JsonNode blockStart = result.events().get(1).json();
    assertEquals("text", blockStart.get("content_block").get("type").asText());
    JsonNode delta = result.events().get(9).json();
    assertEquals("end_turn", delta.get("delta").get("stop_reason").asText());
    assertEquals(13, delta.get("usage").get("output_tokens").asInt());
    assertEquals(1, a.stats().streams());
  }

  @Test
  void maxTokensBelowTheAnswerStopsWithMaxTokens() {
    JsonNode message =
        json(
            client
                .chat(
                    a,
                    Wire.ANTHROPIC,
                    "{\"model\":\"m\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"hi\"}]}")
                .body());

    assertEquals("max_tokens", message.get("stop_reason").asText());
    assertEquals("Simulate", message.at("/content/0/text").asText());
    assertEquals(2, message.at("/usage/output_tokens").asInt());
  }

  @Test
  void declaredToolIsCalledWithToolUse() {
    JsonNode message =
        json(
            client
                .chat(a, Wire.ANTHROPIC, Wire.ANTHROPIC.body(false, Wire.ANTHROPIC.toolsField()))
                .body());

    assertEquals("tool_use", message.get("stop_reason").asText());
    JsonNode block = message.get("content").get(0);
    assertEquals("tool_use", block.get("type").asText());
    assertEquals("toolu_sim_a_1", block.get("id").asText());
    assertEquals("get_weather", block.get("name").asText());
    assertEquals(json("{\"city\":\"sim\",\"unit\":\"sim\"}"), block.get("input"));
  }

  @Test
  void streamedToolUseSendsItsInputAsJsonDeltas() {
    SseEvents.Result result =
        client.streamAll(a, Wire.ANTHROPIC, Wire.ANTHROPIC.body(true, Wire.ANTHROPIC.toolsField()));

    JsonNode block = result.events().get(1).json().get("content_block");
    assertEquals("tool_use", block.get("type").asText());
    assertEquals("get_weather", block.get("name").asText());
    assertEquals("toolu_sim_a_1", block.get("id").asText());
    List<SseEvents.Event> deltas =
        result.events().stream().filter(Wire.ANTHROPIC::isContent).toList();
    assertTrue(deltas.size() >= 2);
    StringBuilder input = new StringBuilder();
    for (SseEvents.Event event : deltas) {
      JsonNode delta = event.json().get("delta");
      assertEquals("input_json_delta", delta.get("type").asText());
      input.append(delta.get("partial_json").asText());
    }
    assertEquals(json("{\"city\":\"sim\",\"unit\":\"sim\"}"), json(input.toString()));
    SseEvents.Event messageDelta = result.events().get(result.events().size() - 2);
    assertEquals("tool_use", messageDelta.json().at("/delta/stop_reason").asText());
    assertTrue(Wire.ANTHROPIC.ended(result));
  }

  @Test
  void toolResultAsLastMessageGetsATextAnswer() {
    String body =
        "{\"model\":\"m\",\"max_tokens\":100"
            + Wire.ANTHROPIC.toolsField()
            + ",\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"},"
            + "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t1\","
            + "\"name\":\"get_weather\",\"input\":{}}]},"
            + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t1\","
            + "\"content\":\"sunny\"}]}]}";

    JsonNode message = json(client.chat(a, Wire.ANTHROPIC, body).body());

    assertEquals("end_turn", message.get("stop_reason").asText());
    assertEquals("text", message.at("/content/0/type").asText());
  }

  @Test
  void errorModesAnswerWithAnthropicBodies() {
    client.behave(a, "{\"mode\":\"error\",\"status\":500}");
    HttpResponse<String> serverError = client.chat(a, Wire.ANTHROPIC, null);
    client.behave(a, "{\"mode\":\"rate-limit\",\"retry_after_seconds\":3}");
    HttpResponse<String> limited = client.chat(a, Wire.ANTHROPIC, null);

    assertEquals(500, serverError.statusCode());
    assertError(serverError, "api_error", "500");
    assertEquals(429, limited.statusCode());
    assertError(limited, "rate_limit_error", "rate limit");
    assertEquals("3", limited.headers().firstValue("retry-after").orElseThrow());
    InstanceStats stats = a.stats();
    assertEquals(1, stats.error());
    assertEquals(1, stats.rateLimited());
  }

  private HttpResponse<String> send(Map<String, String> headers, String body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(Wire.ANTHROPIC.url(a, false)))
            .timeout(SimClient.TIMEOUT)
            .POST(BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return client.send(request.build());
  }

  private static void assertError(HttpResponse<String> response, String type, String mentions) {
    JsonNode body = json(response.body());
    assertEquals("error", body.get("type").asText(), response.body());
    assertEquals(type, body.get("error").get("type").asText(), response.body());
    String message = body.get("error").get("message").asText();
    assertTrue(message.contains(mentions), "'" + message + "' should mention " + mentions);
  }
}
