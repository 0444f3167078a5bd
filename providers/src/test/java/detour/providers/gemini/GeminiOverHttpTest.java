package detour.providers.gemini;

import static detour.providers.gemini.GeminiFixtures.bytes;
import static detour.providers.gemini.GeminiFixtures.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.stream.Materializer;
import akka.stream.javadsl.Sink;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;
import detour.persistence.breaker.FailureKind;
import detour.providers.breaker.BreakerSettings;
import detour.providers.client.HttpProviderClient;
import detour.providers.client.Protocol;
import detour.providers.client.ProviderSettings;
import detour.providers.model.CallResult;
import detour.providers.model.ProviderFailure;
import detour.providers.model.Secret;
import detour.providers.model.StreamOpening;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The codec behind the real transport: {@link HttpProviderClient} against a loopback HTTP server
 * that answers as Gemini does, from the recorded fixtures.
 */
class GeminiOverHttpTest {
  static final String KEY = "test-only-gemini-key-over-http";
  static final ActorTestKit testKit = ActorTestKit.create();
  static final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
  static HttpServer server;
  static HttpProviderClient client;

  /** What the server saw of one call. */
  record Received(String method, String uri, String apiKey, JsonNode body) {}

  @BeforeAll
  static void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1beta/", GeminiOverHttpTest::answer);
    server.start();
    URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1beta");
    var settings = new ProviderSettings("gemini", Protocol.GEMINI, base, Optional.of(Secret.of(KEY)), true,
        Map.of(), Map.of(), Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(10),
        Duration.ofSeconds(10), 4, 16, BreakerSettings.defaults().with(ConfigFactory.empty()));
    client = new HttpProviderClient(settings, new GeminiCodec(), testKit.system(), GeminiFixtures.JSON);
  }

  @AfterAll
  static void stop() {
    server.stop(0);
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void forget() {
    received.clear();
  }

  private static void answer(HttpExchange exchange) throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    String uri = exchange.getRequestURI().toString();
    received.add(new Received(exchange.getRequestMethod(), uri, exchange.getRequestHeaders().getFirst("x-goog-api-key"),
        GeminiFixtures.parse(new String(body, StandardCharsets.UTF_8))));
    if (uri.contains("gemini-busy")) {
      send(exchange, 429, "application/json", bytes("error-resource-exhausted.json"));
    } else if (uri.endsWith(":streamGenerateContent?alt=sse")) {
      send(exchange, 200, "text/event-stream", bytes("stream-function-call.sse"));
    } else if (uri.endsWith(":generateContent")) {
      send(exchange, 200, "application/json; charset=UTF-8", bytes("response-text.json"));
    } else {
      send(exchange, 404, "application/json", bytes("error-not-found.json"));
    }
  }

  private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, 0);  // chunked, as Gemini streams
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Test
  void aStreamGoesOutAsGeminiAndComesBackAsOpenAiChunks() throws Exception {
    StreamOpening opening = client.stream(request("request-tools.openai.json"), "gemini-3-pro-preview")
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    List<ObjectNode> chunks = assertInstanceOf(StreamOpening.Opened.class, opening, opening.toString()).chunks()
        .runWith(Sink.seq(), Materializer.matFromSystem(testKit.system()))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);

    Received call = received.remove();
    assertEquals("POST", call.method());
    assertEquals("/v1beta/models/gemini-3-pro-preview:streamGenerateContent?alt=sse", call.uri());
    assertEquals("get_weather", call.body().path("tools").get(0).path("functionDeclarations").get(0).path("name").asText());
    assertEquals("chatcmpl-gemini-st-fc-1", chunks.get(0).path("id").asText());
    assertEquals("assistant", chunks.get(0).path("choices").path(0).path("delta").path("role").asText());
    assertEquals("get_weather", chunks.get(2).path("choices").path(0).path("delta").path("tool_calls").path(0)
        .path("function").path("name").asText());
    assertEquals("tool_calls", chunks.get(chunks.size() - 2).path("choices").path(0).path("finish_reason").asText());
    assertEquals(94, chunks.get(chunks.size() - 1).path("usage").path("total_tokens").asInt());
  }

  @Test
  void theKeyTravelsInTheHeaderAndNeverInTheUrl() throws Exception {
    client.complete(request("request-multimodal.openai.json"), "gemini-2.5-flash").toCompletableFuture().get(10, TimeUnit.SECONDS);
    client.stream(request("request-multimodal.openai.json"), "gemini-2.5-flash").toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(2, received.size());
    for (Received call : received) {
      assertEquals(KEY, call.apiKey());
      assertFalse(call.uri().contains(KEY) || call.uri().contains("key="), call.uri());
    }
  }

  @Test
  void aWholeAnswerComesBackAsAChatCompletion() throws Exception {
    CallResult result = client.complete(request("request-multimodal.openai.json"), "gemini-2.5-flash")
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    var answered = assertInstanceOf(CallResult.Answered.class, result, result.toString());
    assertEquals("Hello! How can I help you today?",
        answered.response().body().path("choices").path(0).path("message").path("content").asText());
    assertEquals(36, answered.response().usage().totalTokens());
    Received call = received.remove();
    assertEquals("/v1beta/models/gemini-2.5-flash:generateContent", call.uri());
    assertEquals("image/png", call.body().path("contents").get(0).path("parts").get(1).path("inlineData").path("mimeType").asText());
  }

  @Test
  void aRateLimitComesBackClassifiedWithGeminisRetryDelay() throws Exception {
    CallResult result = client.complete(request("request-tools.openai.json"), "gemini-busy")
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    ProviderFailure failure = assertInstanceOf(CallResult.Failed.class, result, result.toString()).failure();
    assertEquals(FailureKind.RATE_LIMITED, failure.kind());
    assertEquals(Optional.of(Duration.ofSeconds(30)), failure.retryAfter());

    StreamOpening opening = client.stream(request("request-tools.openai.json"), "gemini-busy")
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertTrue(opening instanceof StreamOpening.Failed failed && failed.failure().kind() == FailureKind.RATE_LIMITED,
        opening.toString());
  }
}
