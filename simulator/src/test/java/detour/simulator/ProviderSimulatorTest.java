package detour.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The simulator over real HTTP: every fault mode, the control endpoint and the counters. */
class ProviderSimulatorTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final String TWO_MESSAGES =
      """
      {"model":"gpt-test","messages":[
        {"role":"system","content":"You are terse."},
        {"role":"user","content":"Hello there"}]}
      """;

  private static ProviderSimulator simulator;
  private static HttpClient client;
  private static SimulatedInstance a;
  private static SimulatedInstance b;

  @BeforeAll
  static void start() {
    simulator = ProviderSimulator.startOnFreePorts("a", "b");
    a = simulator.instance("a");
    b = simulator.instance("b");
    client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .build();
  }

  @AfterAll
  static void stop() {
    simulator.close();
  }

  @BeforeEach
  void resetInstances() {
    simulator.resetAll();
  }

  @Test
  void answersWithDeterministicCompletionAndUsage() throws Exception {
    HttpResponse<String> first = chat(a, TWO_MESSAGES);
    HttpResponse<String> second = chat(a, TWO_MESSAGES);

    assertEquals(200, first.statusCode());
    assertEquals("application/json", first.headers().firstValue("Content-Type").orElseThrow());
    JsonNode answer = JSON.readTree(first.body());
    assertEquals("chatcmpl-sim-a-1", answer.get("id").asText());
    assertEquals("chat.completion", answer.get("object").asText());
    long now = System.currentTimeMillis() / 1000;
    assertTrue(Math.abs(now - answer.get("created").asLong()) <= 5, "created is epoch seconds");
    assertEquals("gpt-test", answer.get("model").asText());
    JsonNode choice = answer.get("choices").get(0);
    assertEquals(0, choice.get("index").asInt());
    assertEquals("assistant", choice.get("message").get("role").asText());
    assertEquals(
        "Simulated answer from sim instance 'a' to 2 messages.",
        choice.get("message").get("content").asText());
    assertTrue(choice.get("logprobs").isNull());
    assertEquals("stop", choice.get("finish_reason").asText());
    // prompt: (4 + ceil(14/4)) + (4 + ceil(11/4)) = 8 + 7; completion: ceil(53/4).
    JsonNode usage = answer.get("usage");
    assertEquals(15, usage.get("prompt_tokens").asInt());
    assertEquals(14, usage.get("completion_tokens").asInt());
    assertEquals(29, usage.get("total_tokens").asInt());

    JsonNode again = JSON.readTree(second.body());
    assertEquals("chatcmpl-sim-a-2", again.get("id").asText());
    assertEquals(choice.get("message"), again.get("choices").get(0).get("message"));
    assertEquals(usage, again.get("usage"));

    JsonNode fromB = JSON.readTree(chat(b, TWO_MESSAGES).body());
    assertEquals(
        "Simulated answer from sim instance 'b' to 2 messages.",
        fromB.get("choices").get(0).get("message").get("content").asText());
  }

  @Test
  void maxTokensCapsTheCompletion() throws Exception {
    JsonNode answer =
        JSON.readTree(
            chat(
                    a,
                    "{\"model\":\"m\",\"max_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .body());

    JsonNode choice = answer.get("choices").get(0);
    assertEquals("Simulated an", choice.get("message").get("content").asText());
    assertEquals("length", choice.get("finish_reason").asText());
    assertEquals(3, answer.get("usage").get("completion_tokens").asInt());
    assertEquals(5, answer.get("usage").get("prompt_tokens").asInt());
  }

  @Test
  void errorModeAnswersEveryRequestWithTheChosenStatus() throws Exception {
    a.behave(Behaviour.error(503));
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> response = chat(a, TWO_MESSAGES);
      assertEquals(503, response.statusCode());
      JsonNode error = JSON.readTree(response.body()).get("error");
      assertEquals("service_unavailable", error.get("type").asText());
      assertEquals("service_unavailable", error.get("code").asText());
      assertTrue(error.get("param").isNull());
      assertTrue(error.get("message").asText().contains("'a'"));
    }

    a.behave(Behaviour.error(529));
    HttpResponse<String> overloaded = chat(a, TWO_MESSAGES);
    assertEquals(529, overloaded.statusCode());
    assertEquals("overloaded", JSON.readTree(overloaded.body()).get("error").get("type").asText());

    a.behave(Behaviour.error(401));
    HttpResponse<String> unauthorised = chat(a, TWO_MESSAGES);
    assertEquals(401, unauthorised.statusCode());
    assertEquals(
        "invalid_api_key", JSON.readTree(unauthorised.body()).get("error").get("code").asText());

    InstanceStats stats = a.stats();
    assertEquals(5, stats.requests());
    assertEquals(5, stats.error());
    assertEquals(0, stats.ok());
  }

  @Test
  void echoErrorPutsItsTextInEveryFieldAndAHeader() throws Exception {
    a.behave(Behaviour.echoError(401, "Bearer sk-echoed-key-123"));

    HttpResponse<String> response = chat(a, TWO_MESSAGES);

    assertEquals(401, response.statusCode());
    JsonNode error = JSON.readTree(response.body()).get("error");
    for (String field : new String[] {"message", "type", "param", "code"}) {
      assertEquals("Bearer sk-echoed-key-123", error.get(field).asText(), field);
    }
    assertEquals("Bearer sk-echoed-key-123", response.headers().firstValue("x-sim-echo").orElseThrow());
    assertEquals(1, a.stats().error());
  }

  @Test
  void failNextFailsExactlyThatManyThenAnswers() throws Exception {
    a.behave(Behaviour.failNext(3, 500));

    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      statuses.add(chat(a, TWO_MESSAGES).statusCode());
    }

    assertEquals(List.of(500, 500, 500, 200, 200), statuses);
    assertEquals(3, a.stats().error());
    assertEquals(2, a.stats().ok());
  }

  @Test
  void failNextIsExactUnderConcurrentRequests() {
    a.behave(Behaviour.failNext(50, 503));

    List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      inFlight.add(client.sendAsync(chatRequest(a, TWO_MESSAGES), BodyHandlers.ofString()));
    }
    long failed =
        inFlight.stream().map(CompletableFuture::join).filter(r -> r.statusCode() == 503).count();

    assertEquals(50, failed);
    InstanceStats stats = a.stats();
    assertEquals(200, stats.requests());
    assertEquals(50, stats.error());
    assertEquals(150, stats.ok());
  }

  @Test
  void failFractionIsReproducibleForTheSameSeed() throws Exception {
    Behaviour behaviour = Behaviour.failFraction(0.3, 503, 42);

    a.behave(behaviour);
    List<Boolean> firstRun = failures(a, 40);
    a.behave(behaviour);
    List<Boolean> secondRun = failures(a, 40);

    assertEquals(firstRun, secondRun);
    Random expected = new Random(42);
    for (int i = 0; i < 40; i++) {
      assertEquals(expected.nextDouble() < 0.3, firstRun.get(i), "request " + i);
    }
    assertTrue(firstRun.contains(true) && firstRun.contains(false));

    a.behave(Behaviour.failFraction(0.3, 503, 7));
    assertFalse(firstRun.equals(failures(a, 40)), "another seed, another pattern");
  }

  @Test
  void rateLimitSendsRetryAfter() throws Exception {
    a.behave(Behaviour.rateLimit(2));
    HttpResponse<String> limited = chat(a, TWO_MESSAGES);

    assertEquals(429, limited.statusCode());
    assertEquals("2", limited.headers().firstValue("Retry-After").orElseThrow());
    JsonNode error = JSON.readTree(limited.body()).get("error");
    assertEquals("requests", error.get("type").asText());
    assertEquals("rate_limit_exceeded", error.get("code").asText());

    a.behave(Behaviour.rateLimit());
    HttpResponse<String> withoutHint = chat(a, TWO_MESSAGES);
    assertEquals(429, withoutHint.statusCode());
    assertTrue(withoutHint.headers().firstValue("Retry-After").isEmpty());
    assertEquals(2, a.stats().rateLimited());
  }

  @Test
  void resetDropsTheConnectionWithoutAResponse() throws Exception {
    a.behave(Behaviour.reset());

    IOException dropped = assertThrows(IOException.class, () -> chat(a, TWO_MESSAGES));
    assertFalse(dropped instanceof HttpTimeoutException, "dropped, not timed out: " + dropped);

    // On a raw socket: not one byte of HTTP, and a TCP reset rather than an orderly close.
    try (Socket socket = new Socket("127.0.0.1", a.port())) {
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      byte[] body = TWO_MESSAGES.getBytes(StandardCharsets.UTF_8);
      socket
          .getOutputStream()
          .write(
              ("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      + "Content-Type: application/json\r\nContent-Length: "
                      + body.length
                      + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().write(body);
      SocketException reset =
          assertThrows(SocketException.class, () -> socket.getInputStream().read());
      assertTrue(reset.getMessage().contains("reset"), reset.getMessage());
    }
    assertEquals(2, a.stats().reset());
    assertEquals(2, a.requests());

    // Only those connections died: the instance still serves once the behaviour changes.
    a.behave(Behaviour.ok());
    assertEquals(200, chat(a, TWO_MESSAGES).statusCode());
  }

  @Test
  void slowModeDelaysTheAnswer() throws Exception {
    a.behave(Behaviour.slow(300));

    long started = System.nanoTime();
    HttpResponse<String> response = chat(a, TWO_MESSAGES);
    Duration elapsed = Duration.ofNanos(System.nanoTime() - started);

    assertEquals(200, response.statusCode());
    assertTrue(elapsed.toMillis() >= 300, "answered after " + elapsed.toMillis() + " ms");
    assertEquals(1, a.stats().ok());
  }

  @Test
  void hangNeverAnswersUntilTheClientGivesUp() {
    a.behave(Behaviour.hang());
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(a.baseUrl() + "/chat/completions"))
            .timeout(Duration.ofMillis(300))
            .header("Content-Type", "application/json")
            .POST(BodyPublishers.ofString(TWO_MESSAGES))
            .build();

    long started = System.nanoTime();
    assertThrows(HttpTimeoutException.class, () -> client.send(request, BodyHandlers.ofString()));
    assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() >= 300);
    assertEquals(1, a.stats().hung());
    assertEquals(1, a.requests());
  }

  @Test
  void controlEndpointChangesBehaviourAndReportsStats() throws Exception {
    HttpResponse<String> put =
        control(a, "PUT", "/_simulator/behaviour", "{\"mode\":\"error\",\"status\":503}");
    assertEquals(200, put.statusCode());
    assertEquals(JSON.readTree("{\"mode\":\"error\",\"status\":503}"), JSON.readTree(put.body()));
    assertEquals(Behaviour.error(503), a.behaviour());
    assertEquals(put.body(), control(a, "GET", "/_simulator/behaviour", null).body());

    assertEquals(503, chat(a, TWO_MESSAGES).statusCode());
    assertEquals(503, chat(a, TWO_MESSAGES).statusCode());
    control(a, "PUT", "/_simulator/behaviour", "{\"mode\":\"ok\"}");
    assertEquals(200, chat(a, TWO_MESSAGES).statusCode());

    JsonNode stats = JSON.readTree(control(a, "GET", "/_simulator/stats", null).body());
    assertEquals("a", stats.get("instance").asText());
    assertEquals(3, stats.get("requests").asLong());
    assertEquals(1, stats.get("outcomes").get("ok").asLong());
    assertEquals(2, stats.get("outcomes").get("error").asLong());
    assertEquals(0, stats.get("outcomes").get("rate_limited").asLong());
    assertEquals(0, stats.get("outcomes").get("hung").asLong());
    assertEquals(0, stats.get("outcomes").get("reset").asLong());
    assertEquals("ok", stats.get("behaviour").get("mode").asText());

    control(a, "PUT", "/_simulator/behaviour", "{\"mode\":\"hang\"}");
    HttpResponse<String> reset = control(a, "POST", "/_simulator/reset", null);
    assertEquals(200, reset.statusCode());
    assertEquals(0, a.requests());
    assertEquals(Behaviour.ok(), a.behaviour());

    // Every mode of the control API is accepted and echoed as the behaviour in force.
    for (String body :
        List.of(
            "{\"mode\":\"fail-next\",\"count\":3,\"status\":503}",
            "{\"mode\":\"fail-fraction\",\"fraction\":0.03,\"status\":503,\"seed\":42}",
            "{\"mode\":\"slow\",\"delay_ms\":200}",
            "{\"mode\":\"rate-limit\",\"retry_after_seconds\":2}",
            "{\"mode\":\"rate-limit\"}",
            "{\"mode\":\"hang\"}",
            "{\"mode\":\"reset\"}",
            "{\"mode\":\"ok\"}")) {
      HttpResponse<String> response = control(a, "PUT", "/_simulator/behaviour", body);
      assertEquals(200, response.statusCode(), body);
      assertEquals(JSON.readTree(body), JSON.readTree(response.body()));
      assertEquals(Behaviour.fromJson(body), a.behaviour());
    }
  }

  @Test
  void badControlBodyGetsAClearError() throws Exception {
    assertControlError("{not json", "not valid JSON");
    assertControlError("{\"mode\":\"explode\"}", "unknown mode 'explode'");
    assertControlError("{\"status\":503}", "'mode'");
    assertControlError("{\"mode\":\"error\"}", "mode 'error' needs field 'status'");
    assertControlError(
        "{\"mode\":\"error\",\"status\":\"503\"}", "'status' of mode 'error' must be an integer");
    assertControlError("{\"mode\":\"error\",\"status\":200}", "between 400 and 599");
    assertControlError("{\"mode\":\"slow\",\"delay\":200}", "needs field 'delay_ms'");
    assertControlError(
        "{\"mode\":\"fail-fraction\",\"fraction\":1.5,\"status\":503,\"seed\":1}",
        "between 0 and 1");
    assertControlError("{\"mode\":\"hang\",\"delay_ms\":5}", "does not take field(s) [delay_ms]");
    assertEquals(Behaviour.ok(), a.behaviour(), "a refused body changes nothing");
  }

  @Test
  void malformedChatBodyGets400InOpenAiFormat() throws Exception {
    HttpResponse<String> notJson = chat(a, "this is not json");
    assertEquals(400, notJson.statusCode());
    JsonNode error = JSON.readTree(notJson.body()).get("error");
    assertEquals("invalid_request_error", error.get("type").asText());
    assertTrue(error.has("param") && error.has("code"));

    HttpResponse<String> noMessages = chat(a, "{\"model\":\"m\",\"messages\":[]}");
    assertEquals(400, noMessages.statusCode());
    assertEquals("messages", JSON.readTree(noMessages.body()).get("error").get("param").asText());

    // Refused before the behaviour applies: counted as requests, not as fault outcomes.
    a.behave(Behaviour.error(503));
    assertEquals(400, chat(a, "{\"messages\":\"hello\"}").statusCode());
    InstanceStats stats = a.stats();
    assertEquals(3, stats.requests());
    assertEquals(3, stats.invalid());
    assertEquals(
        0, stats.ok() + stats.error() + stats.rateLimited() + stats.hung() + stats.reset());
  }

  @Test
  void countsOnlyChatRequests() throws Exception {
    control(a, "GET", "/_simulator/stats", null);
    control(a, "GET", "/_simulator/behaviour", null);
    control(a, "PUT", "/_simulator/behaviour", "{\"mode\":\"ok\"}");
    assertEquals(404, control(a, "GET", "/v1/models", null).statusCode());
    assertEquals(405, control(a, "GET", "/v1/chat/completions", null).statusCode());
    assertEquals(0, a.requests());

    chat(a, TWO_MESSAGES);
    chat(a, TWO_MESSAGES);

    assertEquals(2, a.requests());
    assertEquals(0, b.requests(), "the other instance got no traffic");
    assertEquals(
        2,
        JSON.readTree(control(a, "GET", "/_simulator/stats", null).body())
            .get("requests")
            .asLong());
  }

  @Test
  void baseUrlIsTheLoopbackV1Url() {
    assertEquals("http://127.0.0.1:" + a.port() + "/v1", a.baseUrl());
    assertTrue(a.port() > 0 && a.port() != b.port());
    assertEquals(List.of(a, b), simulator.instances());
    assertThrows(IllegalArgumentException.class, () -> simulator.instance("nope"));
  }

  private void assertControlError(String body, String expected) throws Exception {
    HttpResponse<String> response = control(a, "PUT", "/_simulator/behaviour", body);
    assertEquals(400, response.statusCode(), body);
    String message = JSON.readTree(response.body()).get("error").get("message").asText();
    assertTrue(message.contains(expected), "'" + message + "' should mention " + expected);
  }

  private static List<Boolean> failures(SimulatedInstance instance, int count) throws Exception {
    List<Boolean> failed = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int status = chat(instance, TWO_MESSAGES).statusCode();
      assertTrue(status == 200 || status == 503, "status " + status);
      failed.add(status == 503);
    }
    return failed;
  }

  private static HttpRequest chatRequest(SimulatedInstance instance, String body) {
    return HttpRequest.newBuilder(URI.create(instance.baseUrl() + "/chat/completions"))
        .timeout(TIMEOUT)
        .header("Content-Type", "application/json")
        .POST(BodyPublishers.ofString(body))
        .build();
  }

  private static HttpResponse<String> chat(SimulatedInstance instance, String body)
      throws IOException, InterruptedException {
    return client.send(chatRequest(instance, body), BodyHandlers.ofString());
  }

  private static HttpResponse<String> control(
      SimulatedInstance instance, String method, String path, String body)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.port() + path))
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body))
            .build();
    return client.send(request, BodyHandlers.ofString());
  }
}
