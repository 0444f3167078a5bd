package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import detour.simulator.Behaviour;
import detour.router.testing.DetourProcess;
import detour.simulator.testing.SimulatorExtension;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-jar build as an operator runs it: {@code java -jar detour.jar} with the simulated
 * configuration. Proves that every module's defaults survive the merge into one jar (a library's
 * reference.conf once silently undid Detour's request timeout there) and that a request fails over.
 */
class PackagedJarIT {
  @RegisterExtension static final SimulatorExtension upstreams = new SimulatorExtension("primary", "fallback");

  private static final Path SIMULATED = Path.of("..", "scripts", "conf", "simulated.conf");

  @Test
  void theJarStartsWithTheSimulatedConfigurationAndFailsOver(@TempDir Path work) throws Exception {
    upstreams.instance("primary").behave(Behaviour.error(503));
    try (var detour = DetourProcess.start(SIMULATED, Map.of(
        "DETOUR_SIM_PRIMARY_URL", upstreams.instance("primary").baseUrl(),
        "DETOUR_SIM_FALLBACK_URL", upstreams.instance("fallback").baseUrl(),
        "DETOUR_H2_FILE", work.resolve("journal").toString()))) {
      var response = detour.chat("default");
      assertEquals(200, response.statusCode(), response.body());
      assertEquals("fallback", response.headers().firstValue("x-detour-provider").orElse(""));
      assertEquals(1, upstreams.instance("primary").requests());
    }
  }

  /** Five starts, each refused (an async log line once went missing in 3 starts of 14): each says why on stderr. */
  @Test
  void aRefusedStartSaysWhyOnStandardErrorEveryTime(@TempDir Path work) throws Exception {
    Path typo = Files.writeString(work.resolve("typo.conf"), "include file(\"" + SIMULATED.toAbsolutePath() + "\")\n"
        + "detour.rouets.fast { chain = [sim-small] }\n");
    for (int start = 0; start < 5; start++) {
      var refusal = DetourProcess.refusedStart(typo, Map.of("DETOUR_H2_FILE", work.resolve("journal").toString()),
          Duration.ofSeconds(60));
      assertEquals(2, refusal.exitCode(), refusal.stdout());
      assertTrue(refusal.stderr().contains("Detour did not start") && refusal.stderr().contains("detour.rouets"),
          "start " + start + ": " + refusal.stderr());
    }
  }

  @Test
  void aStartThatFailsAfterTheConfigurationSaysWhyOnStandardError(@TempDir Path work) throws Exception {
    try (var taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      var refusal = DetourProcess.refusedStart(SIMULATED, Map.of(
          "DETOUR_PORT", Integer.toString(taken.getLocalPort()),
          "DETOUR_SIM_PRIMARY_URL", upstreams.instance("primary").baseUrl(),
          "DETOUR_SIM_FALLBACK_URL", upstreams.instance("fallback").baseUrl(),
          "DETOUR_H2_FILE", work.resolve("journal").toString()), Duration.ofSeconds(90));
      assertEquals(1, refusal.exitCode(), refusal.stdout());
      assertTrue(refusal.stderr().contains("could not bind HTTP on 127.0.0.1:" + taken.getLocalPort()), refusal.stderr());
    }
  }
}
