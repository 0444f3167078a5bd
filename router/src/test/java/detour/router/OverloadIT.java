package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import detour.simulator.Behaviour;
import detour.providers.testing.TestClock;
import detour.router.testing.RouterHarness;
import detour.router.testing.RouterHarness.Reply;
import detour.simulator.testing.SimulatorExtension;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overload is refused at once with 503 and Retry-After, not queued: beyond detour.http.max-in-flight,
 * and before the refused request's body is read.
 */
class OverloadIT {
  @RegisterExtension static final SimulatorExtension upstreams = new SimulatorExtension("a", "b");

  @Test
  void aRequestBeyondTheBoundIsAFast503WithRetryAfterAndThePlaceIsFreedAfterwards(@TempDir Path dir) throws Exception {
    try (var router = RouterHarness.start(upstreams.simulator(), List.of("a", "b"), dir.resolve("journal"),
        TestClock.at("2026-01-05T09:00:00Z"), "detour.http.max-in-flight = 1")) {
      upstreams.instance("a").behave(Behaviour.slow(1_500));  // real time: holds the only place a while

      var first = router.chatInBackground();
      router.awaitUntil("the first request is at the provider", () -> upstreams.instance("a").requests() == 1);
      Reply refused = router.chat();

      assertEquals(503, refused.status());
      assertEquals("1", refused.header("Retry-After"));
      assertEquals("overloaded", refused.body().path("error").path("code").asText());
      assertEquals(1, upstreams.instance("a").requests() + upstreams.instance("b").requests(),
          "the refused request reached no provider");
      assertEquals(200, first.get(20, TimeUnit.SECONDS).status());

      upstreams.instance("a").behave(Behaviour.ok());
      router.awaitUntil("the first request's place is free again", () -> router.chat().status() == 200);
    }
  }

  @Test
  void requestsWhoseEveryCandidateIsSkippedGiveTheirPlacesBack(@TempDir Path dir) {
    int bound = 4;
    // Neither model can call tools: a request with tools skips both, and nothing is tried.
    try (var router = RouterHarness.start(upstreams.simulator(), List.of("a", "b"), dir.resolve("journal"),
        TestClock.at("2026-01-05T09:00:00Z"), "detour.http.max-in-flight = " + bound + "\n"
            + "detour.models.model-a.capabilities = [], detour.models.model-b.capabilities = []")) {
      String withTools = "{\"model\":\"default\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
          + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"lookup\"}}]}";
      List<String> answers = new java.util.ArrayList<>();
      for (int i = 0; i < bound + 10; i++) answers.add(statusAndCode(router.chat(withTools)));
      Reply healthy = router.chat();
      answers.add(statusAndCode(healthy));

      List<String> expected = new java.util.ArrayList<>(java.util.Collections.nCopies(bound + 10, "400 no_capable_candidate"));
      expected.add("200");
      assertEquals(expected, answers, "each all-skipped request says why, none is refused for load, the healthy one passes");
      router.awaitUntil("every place is free", () -> router.send(HttpRequest.newBuilder(router.uri("/health")).GET())
          .body().path("admission").path("in_progress").asInt() == 0);
    }
  }

  @Test
  void aNodeAtItsBoundRefusesANewRequestBeforeReadingItsBody(@TempDir Path dir) throws Exception {
    try (var router = RouterHarness.start(upstreams.simulator(), List.of("a", "b"), dir.resolve("journal"),
        TestClock.at("2026-01-05T09:00:00Z"), "detour.http.max-in-flight = 1")) {
      upstreams.instance("a").behave(Behaviour.slow(1_500));  // real time: holds the only place a while
      var first = router.chatInBackground();
      router.awaitUntil("the first request is at the provider", () -> upstreams.instance("a").requests() == 1);

      // Headers and the first bytes of a 5,000-byte body; the rest never comes.
      try (var socket = new Socket("127.0.0.1", router.uri("/").getPort())) {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: detour\r\n"
            + "Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"model\": \"default\", ")
            .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        String answer = readResponse(socket);

        assertTrue(answer.startsWith("HTTP/1.1 503"), answer);
        assertTrue(answer.toLowerCase(Locale.ROOT).contains("retry-after: 1"), answer);
        assertTrue(answer.contains("\"code\":\"overloaded\"") && answer.contains("detour.http.max-in-flight"), answer);
      }
      assertEquals(1, upstreams.instance("a").requests() + upstreams.instance("b").requests(),
          "the refused request reached no provider");
      upstreams.instance("a").behave(Behaviour.ok());
      assertEquals(200, first.get(20, TimeUnit.SECONDS).status());
    }
  }

  private static String statusAndCode(Reply reply) {
    return reply.status() + (reply.status() == 200 ? "" : " " + reply.body().path("error").path("code").asText());
  }

  /** Reads one HTTP/1.1 response with a Content-Length: its head and its body. */
  private static String readResponse(Socket socket) throws java.io.IOException {
    var in = socket.getInputStream();
    var head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) break;
      head.append((char) b);
    }
    var length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
    int n = length.find() ? Integer.parseInt(length.group(1)) : 0;
    return head + new String(in.readNBytes(n), StandardCharsets.UTF_8);
  }
}
