package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import detour.simulator.Behaviour;
import detour.simulator.StreamShape;
import detour.providers.testing.TestClock;
import detour.router.testing.RouterHarness;
import detour.router.testing.RouterHarness.Streamed;
import detour.simulator.testing.SimulatorExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Streamed requests end to end, over real HTTP, against simulated OpenAI-protocol upstreams. */
class StreamingIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String STREAM = "{\"model\": \"default\", \"stream\": true, "
      + "\"messages\": [{\"role\": \"user\", \"content\": \"Say hello.\"}]}";

  @RegisterExtension static final SimulatorExtension upstreams = new SimulatorExtension("a", "b");
  @TempDir static Path journalDir;
  static RouterHarness router;

  @BeforeAll
  static void start() {
    router = RouterHarness.start(upstreams.simulator(), List.of("a", "b"), journalDir.resolve("journal"),
        TestClock.at("2026-01-05T09:00:00Z"));
  }

  @AfterAll
  static void stop() {
    router.close();
  }

  @Test
  void aStreamedAnswerIsOpenAiSseWithTheTraceWhereSdksIgnoreIt() throws Exception {
    Streamed reply = router.stream(STREAM);

    assertEquals(200, reply.status());
    assertTrue(reply.header("content-type").startsWith("text/event-stream"), reply.header("content-type"));
    assertEquals("a", reply.header("x-detour-provider"));
    assertTrue(reply.lines().get(0).startsWith(": detour {"), "a comment line first: " + reply.lines().get(0));
    assertEquals("a", JSON.readTree(reply.lines().get(0).substring(": detour ".length())).path("provider").asText());
    assertTrue(reply.done(), "ends with [DONE]");
    assertFalse(reply.text().isEmpty());
    JsonNode finishing = reply.events().stream().filter(e -> e.path("choices").path(0).hasNonNull("finish_reason"))
        .findFirst().orElseThrow();
    assertEquals("a", finishing.path("detour").path("provider").asText());
    assertTrue(reply.events().stream().noneMatch(e -> e.has("usage")), "no usage unless asked for");
  }

  @Test
  void usageComesLastWhenTheCallerAsksForIt() {
    Streamed reply = router.stream("{\"model\": \"default\", \"stream\": true, \"stream_options\": "
        + "{\"include_usage\": true}, \"messages\": [{\"role\": \"user\", \"content\": \"Say hello.\"}]}");

    List<JsonNode> events = reply.events();
    JsonNode last = events.get(events.size() - 1);
    assertTrue(last.path("choices").isEmpty(), last.toString());
    assertTrue(last.path("usage").path("completion_tokens").asInt() > 0, last.toString());
  }

  @Test
  void aStallBeforeTheFirstTokenFailsOverAndTheCallersStreamIsClean() throws Exception {
    upstreams.instance("a").behave(Behaviour.stallFirstToken());

    CompletableFuture<Streamed> pending = CompletableFuture.supplyAsync(() -> router.stream(STREAM));
    router.awaitUntil("the primary is streaming", () -> upstreams.instance("a").stats().streams() == 1);
    router.timePasses(Duration.ofSeconds(20));  // the default first-token-timeout
    Streamed reply = pending.get(20, TimeUnit.SECONDS);

    assertEquals(200, reply.status());
    assertEquals("b", reply.header("x-detour-provider"));
    assertTrue(reply.done());
    JsonNode trace = JSON.readTree(reply.lines().get(0).substring(": detour ".length()));
    assertEquals("first_token_timeout", trace.path("attempts").get(0).path("error_class").asText());
    long roles = reply.events().stream().filter(e -> e.path("choices").path(0).path("delta").has("role")).count();
    assertEquals(1, roles, "only the fallback's stream reached the caller");
    router.awaitUntil("the stalled upstream request is cancelled", () -> upstreams.instance("a").stats().cancelled() == 1);
  }

  @Test
  void aDropAfterTheFirstContentEndsTheStreamWithAnErrorEventAndNoDone() {
    upstreams.instance("a").behave(Behaviour.streamDrop(2));

    Streamed reply = router.stream(STREAM);

    assertEquals(200, reply.status());
    assertFalse(reply.done(), "a cut answer must not look whole");
    List<JsonNode> events = reply.events();
    JsonNode error = events.get(events.size() - 1).path("error");
    assertEquals("upstream_stream_broken", error.path("code").asText(), events.toString());
    assertTrue(error.path("message").asText().contains("connection_reset"), error.toString());
    assertFalse(reply.text().isEmpty(), "what came before the cut was delivered");
    assertEquals(0, upstreams.instance("b").requests(), "no failover after the first content");
  }

  @Test
  void theCallerHangingUpCancelsTheUpstreamRequest() throws Exception {
    upstreams.instance("a").behave(Behaviour.ok(StreamShape.DEFAULT.withChunks(200).withChunkIntervalMs(50)));
    byte[] body = STREAM.getBytes(StandardCharsets.UTF_8);

    // A plain socket, so that hanging up is exactly a closed connection, whatever an HTTP client does.
    try (Socket caller = new Socket("127.0.0.1", router.uri("/").getPort())) {
      OutputStream out = caller.getOutputStream();
      out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      var lines = new BufferedReader(new InputStreamReader(caller.getInputStream(), StandardCharsets.UTF_8));
      String line;
      do {
        line = lines.readLine();
      } while (line != null && !line.startsWith("data: "));
      assertTrue(line != null, "the stream started");
    }

    // Akka HTTP holds a cancellation back briefly (stream-cancellation-delay, on the server and on
    // the client side) to let a completion win the race; on the router's manual clock, move it on.
    router.awaitUntil("the upstream saw the cancel", () -> {
      router.timePasses(Duration.ofMillis(100));
      return upstreams.instance("a").stats().cancelled() == 1;
    });
    assertEquals(1, upstreams.instance("a").stats().requests());
  }
}
