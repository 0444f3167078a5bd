package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;

import detour.simulator.ProviderSimulator;
import detour.providers.testing.TestClock;
import detour.router.testing.RouterHarness;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminOffIT {
  @Test
  void withoutATokenTheAdminApiIsOffAndSaysHowToTurnItOn(@TempDir Path journalDir) {
    try (var simulator = ProviderSimulator.start(Map.of("a", 0));
        var router = RouterHarness.start(simulator, List.of("a"), journalDir.resolve("journal"),
            TestClock.at("2026-01-05T09:00:00Z"))) {
      var reply = router.send(HttpRequest.newBuilder(router.uri("/admin/breakers"))
          .header("Authorization", "Bearer anything").GET());
      assertEquals(404, reply.status());
      assertEquals("admin_api_off", reply.body().path("error").path("code").asText());
    }
  }
}
