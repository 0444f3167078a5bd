package detour.providers.anthropic;

import static detour.providers.anthropic.AnthropicFixtures.JSON;
import static detour.providers.anthropic.AnthropicFixtures.bytes;
import static detour.providers.anthropic.AnthropicFixtures.content;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.stream.javadsl.Sink;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;
import detour.persistence.breaker.FailureKind;
import detour.providers.ProviderClients;
import detour.providers.breaker.BreakerSettings;
import detour.providers.client.Protocol;
import detour.providers.client.ProviderClient;
import detour.providers.client.ProviderSettings;
import detour.providers.model.CallResult;
import detour.providers.model.ChatRequest;
import detour.providers.model.Secret;
import detour.providers.model.StreamOpening;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The codec behind the real transport: {@link ProviderClients} makes an {@code anthropic}
 * provider's client, which calls a loopback server answering with the recorded fixtures.
 */
class AnthropicHttpTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
  private static HttpServer server;

  /** What the server saw of one call. */
  private record Received(String path, String apiKey, String version, JsonNode body) {}

  @BeforeAll
  static void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/messages", AnthropicHttpTest::answer);
    server.createContext("/busy/messages", exchange -> {
      exchange.getRequestBody().readAllBytes();
      exchange.getResponseHeaders().add("Retry-After", "3");
      send(exchange, 529, "application/json", bytes("error-overloaded.json"));
    });
    server.start();
  }

  @AfterAll
  static void stop() {
    server.stop(0);
    testKit.shutdownTestKit();
  }

  @Test
  void aStreamedCallSendsAnAnthropicRequestAndReadsTheEventStreamAsChunks() throws Exception {
    received.clear();
    StreamOpening opening = client("/v1").stream(request(), "claude-sonnet-4-5").toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    StreamOpening.Opened opened = assertInstanceOf(StreamOpening.Opened.class, opening);
    List<ObjectNode> chunks = opened.chunks().runWith(Sink.seq(), testKit.system()).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);

    Received call = received.remove();
    assertEquals("/v1/messages", call.path());
    assertEquals("sk-ant-loopback-key", call.apiKey());
    assertEquals("2023-06-01", call.version());
    assertEquals("claude-sonnet-4-5", call.body().path("model").asText());
    assertTrue(call.body().path("stream").asBoolean());
    assertEquals("Be brief.", call.body().path("system").asText());

    assertEquals("Checking the weather and the time.", content(chunks));
    JsonNode firstCall = chunks.stream().map(c -> c.path("choices").path(0).path("delta").path("tool_calls").path(0))
        .filter(c -> c.has("id")).findFirst().orElseThrow();
    assertEquals("get_weather", firstCall.path("function").path("name").asText());
    assertEquals("tool_calls", chunks.get(chunks.size() - 2).path("choices").path(0).path("finish_reason").asText());
    assertEquals(89, chunks.get(chunks.size() - 1).path("usage").path("completion_tokens").asInt());
  }

  @Test
  void aWholeCallReadsTheMessageAsACompletion() throws Exception {
    received.clear();
    CallResult result = client("/v1").complete(request(), "claude-sonnet-4-5").toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    CallResult.Answered answered = assertInstanceOf(CallResult.Answered.class, result);
    assertEquals("Hi! My name is Claude. How can I help?",
        answered.response().body().path("choices").path(0).path("message").path("content").asText());
    assertEquals(2112, answered.response().usage().promptTokens());
    assertTrue(received.remove().body().path("stream").isMissingNode(), "no stream field on a whole call");
  }

  @Test
  void anOverloadedAnswerIsAClassifiedFailureWithItsRetryAfter() throws Exception {
    StreamOpening opening = client("/busy").stream(request(), "claude-sonnet-4-5").toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    StreamOpening.Failed failed = assertInstanceOf(StreamOpening.Failed.class, opening);
    assertEquals(FailureKind.OVERLOADED, failed.failure().kind());
    assertEquals(Optional.of(Duration.ofSeconds(3)), failed.failure().retryAfter());
  }

  private static void answer(HttpExchange exchange) throws IOException {
    JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
    received.add(new Received(exchange.getRequestURI().getPath(),
        exchange.getRequestHeaders().getFirst("x-api-key"),
        exchange.getRequestHeaders().getFirst("anthropic-version"), body));
    if (body.path("stream").asBoolean(false)) {
      send(exchange, 200, "text/event-stream; charset=utf-8", bytes("stream-tool-use.sse"));
    } else {
      send(exchange, 200, "application/json", bytes("message-text.json"));
    }
  }

  private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
    exchange.getResponseHeaders().add("Content-Type", contentType);
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static ProviderClient client(String basePath) {
    URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + basePath);
    ProviderSettings settings = new ProviderSettings("anthropic-loopback", Protocol.ANTHROPIC, base,
        Optional.of(Secret.of("sk-ant-loopback-key")), true, Map.of(), Map.of(), Duration.ofSeconds(2),
        Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(10), 4, 16,
        BreakerSettings.defaults().with(ConfigFactory.empty()));
    return ProviderClients.create(settings, testKit.system(), JSON);
  }

  private static ChatRequest request() throws IOException {
    return new ChatRequest((ObjectNode) JSON.readTree("{\"model\":\"claude-route\",\"messages\":["
        + "{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Weather and time?\"}]}"));
  }
}
