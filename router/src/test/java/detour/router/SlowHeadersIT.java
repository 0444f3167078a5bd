package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import detour.simulator.testing.SimulatorExtension;
import detour.providers.testing.TestClock;
import detour.router.testing.RawConnection;
import detour.router.testing.RouterHarness;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request's head must arrive within detour.http.header-read-timeout of its first byte: a client
 * trickling its headers is answered 408 and closed while others are served; keep-alive idle,
 * pipelining and slow bodies are not timed. The harness's scheduler moves by hand, so the timeout
 * passes in no time; the sockets are read with real, bounded waits.
 */
class SlowHeadersIT {
  @RegisterExtension static final SimulatorExtension upstreams = new SimulatorExtension("a");
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final Duration STEP = Duration.ofSeconds(2);
  /** Far beyond a loopback round trip, far below any test's patience. */
  private static final Duration PATIENCE = Duration.ofSeconds(5);
  private static final String CHAT = "{\"model\":\"default\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  private static RouterHarness router;
  private static int port;

  @BeforeAll
  static void start(@TempDir Path journalDir) {
    router = RouterHarness.start(upstreams.simulator(), List.of("a"), journalDir.resolve("journal"),
        TestClock.at("2026-01-05T09:00:00Z"),
        RouterHarness.SIMPLE_RECOVERY + "\ndetour.http.header-read-timeout = " + TIMEOUT.toSeconds() + "s");
    port = router.uri("/").getPort();
  }

  @AfterAll
  static void stop() {
    router.close();
  }

  @Test
  void clientsTricklingTheirHeadersAreAnswered408AndClosedWhileOthersAreServed() throws Exception {
    List<RawConnection> slow = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        var connection = RawConnection.open(port);
        connection.send("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
        slow.add(connection);
      }
      // One byte every 2 s, as a slowloris client sends them: each resets an idle-timeout, not this clock.
      for (int step = 0; step < 4; step++) {
        router.timePasses(STEP);
        for (var connection : slow) connection.send("a");
      }
      for (var connection : slow) assertFalse(connection.closedWithin(Duration.ofMillis(50)), "open before the timeout");
      assertEquals(200, router.send(HttpRequest.newBuilder(router.uri("/v1/models")).GET()).status(),
          "a normal request is served while the slow ones hang");

      for (var connection : slow) {
        String answer = closedAfterTheTimeout(connection);
        assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
        var error = new ObjectMapper().readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4)).path("error");
        assertEquals("header_read_timeout", error.path("code").asText(), answer);
        assertEquals("invalid_request_error", error.path("type").asText(), answer);
        assertTrue(error.has("param") && error.path("message").asText().contains("headers"), answer);
      }
      assertEquals(200, router.chat(CHAT).status(), "and served after they were closed");
    } finally {
      for (var connection : slow) connection.close();
    }
  }

  @Test
  void aKeepAliveConnectionIdleBetweenRequestsIsNotCut() throws Exception {
    try (var connection = RawConnection.open(port)) {
      connection.send(get("/v1/models"));
      assertEquals(200, connection.readResponse(PATIENCE).status());
      for (int step = 0; step < 3; step++) router.timePasses(TIMEOUT);
      assertFalse(connection.closedWithin(Duration.ofMillis(100)), "idle for three timeouts, still open");
      connection.send(get("/v1/models"));
      assertEquals(200, connection.readResponse(PATIENCE).status());
    }
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    try (var connection = RawConnection.open(port)) {
      connection.send(get("/v1/models") + get("/v1/nothing-here") + get("/v1/models"));
      assertEquals(200, connection.readResponse(PATIENCE).status());
      assertEquals(404, connection.readResponse(PATIENCE).status());
      assertEquals(200, connection.readResponse(PATIENCE).status());
    }
  }

  @Test
  void aBodyArrivingSlowerThanTheTimeoutIsNotTimed() throws Exception {
    try (var connection = RawConnection.open(port)) {
      connection.send("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + CHAT.length() + "\r\n\r\n");
      int third = CHAT.length() / 3;
      for (String part : List.of(CHAT.substring(0, third), CHAT.substring(third, 2 * third))) {
        connection.send(part);
        router.timePasses(TIMEOUT);
      }
      connection.send(CHAT.substring(2 * third));
      var answer = connection.readResponse(PATIENCE);
      assertEquals(200, answer.status(), answer.body());
    }
  }

  @Test
  void aLargeBodyIsServed() {
    String large = "{\"model\":\"default\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(2_000_000)
        + "\"}]}";
    var reply = router.chat(large);
    assertEquals(200, reply.status(), reply.raw().body());
  }

  /**
   * Waits for the connection to be closed, moving the clock on by a step while it is not: the
   * stage may have seen the first byte a little after the test sent it. Bounded well below the
   * idle-timeout (330 s), so only the header clock can close it.
   */
  private static String closedAfterTheTimeout(RawConnection connection) throws Exception {
    for (int step = 0; step < 10; step++) {
      router.timePasses(STEP);
      Optional<String> answer = connection.readUntilClosed(Duration.ofMillis(500));
      if (answer.isPresent()) return answer.get();
    }
    throw new AssertionError("the slow connection is still open " + (8 + 2 * 10) + " s after its first byte");
  }

  private static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  }
}
