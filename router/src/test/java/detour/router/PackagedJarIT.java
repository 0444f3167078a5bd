package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;

import detour.providers.simulator.Behaviour;
import detour.router.testing.DetourProcess;
import detour.providers.testing.SimulatorExtension;
import java.nio.file.Path;
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

  @Test
  void theJarStartsWithTheSimulatedConfigurationAndFailsOver(@TempDir Path work) throws Exception {
    upstreams.instance("primary").behave(Behaviour.error(503));
    try (var detour = DetourProcess.start(Path.of("..", "scripts", "conf", "simulated.conf"), Map.of(
        "DETOUR_SIM_PRIMARY_URL", upstreams.instance("primary").baseUrl(),
        "DETOUR_SIM_FALLBACK_URL", upstreams.instance("fallback").baseUrl(),
        "DETOUR_H2_FILE", work.resolve("journal").toString()))) {
      var response = detour.chat("default");
      assertEquals(200, response.statusCode(), response.body());
      assertEquals("fallback", response.headers().firstValue("x-detour-provider").orElse(""));
      assertEquals(1, upstreams.instance("primary").requests());
    }
  }
}
