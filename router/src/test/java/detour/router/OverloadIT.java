package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;

import detour.providers.simulator.Behaviour;
import detour.providers.testing.TestClock;
import detour.router.testing.RouterHarness;
import detour.router.testing.RouterHarness.Reply;
import detour.providers.testing.SimulatorExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Beyond detour.http.max-in-flight, a request is refused at once with 503 and Retry-After, not queued. */
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
}
