package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import detour.simulator.Behaviour;
import detour.router.testing.DetourProcess;
import detour.simulator.testing.SimulatorExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL in the middle of an outage, with requests in flight: the restarted node finds every
 * transition it had acknowledged, and routes by it before serving its first request.
 */
class CrashDurabilityIT {
  @RegisterExtension static final SimulatorExtension upstreams = new SimulatorExtension("primary", "fallback");
  static final ObjectMapper JSON = new ObjectMapper();
  static final String BREAKER = "primary/sim-large";

  @Test
  void anOpenCircuitSurvivesASigkillUnderLoad(@TempDir Path work) throws Exception {
    var primary = upstreams.instance("primary");
    primary.behave(Behaviour.error(503));
    Map<String, String> env = Map.of(
        "DETOUR_SIM_PRIMARY_URL", primary.baseUrl(),
        "DETOUR_SIM_FALLBACK_URL", upstreams.instance("fallback").baseUrl(),
        "DETOUR_H2_FILE", work.resolve("journal").toString());
    // The demo's configuration, with a cooldown that outlasts the kill and the restart.
    Path config = work.resolve("detour.conf");
    java.nio.file.Files.writeString(config, "include file(\""
        + Path.of("..", "scripts", "conf", "simulated.conf").toAbsolutePath().normalize() + "\")\n"
        + "detour.breaker.cooldown = 120s\n");

    JsonNode acknowledged;
    var first = DetourProcess.start(config, env);
    try {
      for (int i = 0; i < 5; i++) assertEquals(200, first.chat("default").statusCode());
      // The view shows the trip once the journal has acknowledged it.
      acknowledged = awaitOpen(first);
      // Requests in flight at the moment of the kill.
      var inFlight = new ArrayList<CompletableFuture<?>>();
      for (int i = 0; i < 20; i++) {
        inFlight.add(CompletableFuture.runAsync(() -> {
          try {
            first.chat("default");
          } catch (Exception cut) {
            // the kill cuts some of them: expected
          }
        }));
      }
    } finally {
      first.kill();
    }
    long primaryCallsBefore = primary.requests();

    try (var second = DetourProcess.start(config, env)) {
      JsonNode recovered = breaker(second);
      assertEquals("open", recovered.path("circuit").asText(), "recovered: " + recovered);
      assertEquals(acknowledged.path("until").asText(), recovered.path("until").asText(), "with its original deadline");
      var reply = second.chat("default");
      assertEquals(200, reply.statusCode());
      assertEquals("fallback", reply.headers().firstValue("x-detour-provider").orElse(""));
      assertEquals(primaryCallsBefore, primary.requests(), "the restarted node sends the open primary nothing");
    }
  }

  /** Polls the other process's /health (bounded, 10 s) until the breaker shows open. */
  private static JsonNode awaitOpen(DetourProcess detour) throws Exception {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    JsonNode state = breaker(detour);
    while (!"open".equals(state.path("circuit").asText()) && System.nanoTime() < deadline) {
      Thread.sleep(20);
      state = breaker(detour);
    }
    assertEquals("open", state.path("circuit").asText(), "the trip was acknowledged: " + state);
    return state;
  }

  private static JsonNode breaker(DetourProcess detour) throws Exception {
    var health = JSON.readTree(detour.get("/health").body());
    return health.path("breakers").path(BREAKER);
  }
}
