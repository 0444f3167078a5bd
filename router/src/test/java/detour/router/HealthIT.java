package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import detour.providers.breaker.BreakerState.Circuit;
import detour.simulator.testing.SimulatorExtension;
import detour.providers.testing.TestClock;
import detour.router.testing.RouterHarness;
import detour.router.testing.RouterHarness.Reply;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /live}, {@code /ready} and {@code /health} tell what the node could serve: the route
 * {@code default} chains a and b, the route {@code only-b} b alone, and an operator shuts them.
 */
class HealthIT {
  static final String TOKEN = "admin-token-for-health";
  @RegisterExtension static final SimulatorExtension upstreams = new SimulatorExtension("a", "b");
  @TempDir Path journalDir;

  @Test
  void readinessAndHealthFollowTheCircuitsWhileLivenessStaysUp() {
    try (var router = start()) {
      assertLive(router);
      assertEquals(200, get(router, "/ready").status());
      JsonNode health = get(router, "/health").body();
      assertEquals("ok", health.path("status").asText(), health.toString());
      assertEquals(2, health.path("routes").path("default").path("usable").asInt(), health.toString());
      assertEquals(1, health.path("routes").path("only-b").path("usable").asInt(), health.toString());
      assertTrue(health.path("breakers").has("a/model-a") && health.has("admission"), "the other fields stay");

      open(router, "b");
      health = get(router, "/health").body();
      assertEquals("degraded", health.path("status").asText(), health.toString());
      assertEquals(List.of("only-b"), names(health.path("unavailable")));
      assertEquals(1, health.path("routes").path("default").path("usable").asInt(), health.toString());
      JsonNode onlyB = health.path("routes").path("only-b");
      assertEquals(0, onlyB.path("usable").asInt(), health.toString());
      assertTrue(onlyB.path("reason").asText().startsWith("model-b: circuit of provider b open until "), onlyB.toString());
      assertEquals(200, get(router, "/ready").status(), "default can still be served");
      assertLive(router);

      open(router, "a");
      health = get(router, "/health").body();
      assertEquals("unavailable", health.path("status").asText(), health.toString());
      assertEquals(List.of("default", "only-b"), names(health.path("unavailable")));
      Reply ready = get(router, "/ready");
      assertEquals(503, ready.status(), ready.raw().body());
      assertEquals("unavailable", ready.body().path("status").asText());
      assertEquals("no route has a candidate that could be tried now", ready.body().path("reason").asText());
      assertTrue(ready.body().path("routes").path("default").asText().contains("model-a: circuit of provider a open"),
          ready.raw().body());
      assertLive(router);

      // The operator's cooldown ends: each breaker offers its probe, and the node is ready again.
      router.timePasses(Duration.ofSeconds(601));
      router.assertCircuit("a", Circuit.HALF_OPEN);
      assertEquals(200, get(router, "/ready").status());
      assertEquals("ok", get(router, "/health").body().path("status").asText());
    }
  }

  @Test
  void onlyGetIsServedOnTheHealthPaths() {
    try (var router = start()) {
      for (String path : List.of("/live", "/ready", "/health")) {
        Reply reply = router.send(HttpRequest.newBuilder(router.uri(path)).POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(405, reply.status(), path + ": " + reply.raw().body());
        assertEquals("invalid_request_error", reply.body().path("error").path("type").asText(), reply.raw().body());
      }
    }
  }

  private RouterHarness start() {
    return RouterHarness.start(upstreams.simulator(), List.of("a", "b"), journalDir.resolve("journal"),
        TestClock.at("2026-01-05T09:00:00Z"), RouterHarness.SIMPLE_RECOVERY
            + "\ndetour.admin.token = \"" + TOKEN + "\"\ndetour.routes.only-b { chain = [model-b] }");
  }

  /** Forces the provider's circuit open for ten minutes, as an operator does. */
  private static void open(RouterHarness router, String provider) {
    Reply reply = router.send(HttpRequest.newBuilder(router.uri("/admin/breakers/" + provider + "/open"))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN)
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"operator\":\"ana\",\"reason\":\"health test\",\"duration_seconds\":600}")));
    assertEquals(200, reply.status(), reply.raw().body());
  }

  private static void assertLive(RouterHarness router) {
    Reply live = get(router, "/live");
    assertEquals(200, live.status());
    assertEquals("live", live.body().path("status").asText());
  }

  private static Reply get(RouterHarness router, String path) {
    return router.send(HttpRequest.newBuilder(router.uri(path)).GET());
  }

  private static List<String> names(JsonNode array) {
    return java.util.stream.StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }
}
