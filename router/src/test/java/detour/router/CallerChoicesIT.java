package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import detour.simulator.Behaviour;
import detour.providers.testing.TestClock;
import detour.router.testing.RouterHarness;
import detour.router.testing.RouterHarness.Reply;
import detour.simulator.testing.SimulatorExtension;
import java.net.http.HttpRequest;
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

/** What a caller may choose within its route: the order of its models, and a shorter deadline. */
class CallerChoicesIT {
  @RegisterExtension static final SimulatorExtension upstreams = new SimulatorExtension("a", "b", "c");
  @TempDir static Path journalDir;
  static RouterHarness router;

  @BeforeAll
  static void start() {
    router = RouterHarness.start(upstreams.simulator(), List.of("a", "b", "c"), journalDir.resolve("journal"),
        TestClock.at("2026-01-05T09:00:00Z"), RouterHarness.SIMPLE_RECOVERY + "\ndetour.routes.default.deadline = 20s");
  }

  @AfterAll
  static void stop() {
    router.close();
  }

  @Test
  void aModelsListReordersTheRoutesChainAndLeavesOutWhatItDoesNotName() {
    Reply reply = router.chat("{\"model\": \"default\", \"models\": [\"model-c\", \"model-a\"], "
        + "\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");

    assertEquals(200, reply.status());
    assertEquals("c", reply.header("x-detour-provider"));
    assertEquals(1, reply.trace().path("attempts").size());
    assertEquals(0, upstreams.instance("a").requests() + upstreams.instance("b").requests());
    assertTrue(upstreams.instance("c").lastRequest().orElseThrow().path("body").path("models").isMissingNode(),
        "the upstream never sees Detour's own field");
  }

  @Test
  void aModelsListNamingAModelOutsideTheRouteIsRefused() {
    Reply reply = router.chat("{\"model\": \"default\", \"models\": [\"model-a\", \"gpt-5\"], "
        + "\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");

    assertEquals(400, reply.status());
    assertEquals("models", reply.body().path("error").path("param").asText());
    assertTrue(reply.body().path("error").path("message").asText().contains("'gpt-5' is not one of the models"));
  }

  @Test
  void aCallersDeadlineShortensTheRoutesAndTheWholeChainEndsByIt() throws Exception {
    // Slow in real time, so the abandoned calls still end; on the router's manual clock they stall.
    upstreams.instance("a").behave(Behaviour.slow(3_000));
    upstreams.instance("b").behave(Behaviour.slow(3_000));
    upstreams.instance("c").behave(Behaviour.slow(3_000));

    var pending = CompletableFuture.supplyAsync(() -> router.send(HttpRequest.newBuilder(router.uri("/v1/chat/completions"))
        .header("Content-Type", "application/json").header("x-detour-deadline-ms", "6000")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\": \"default\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"))));
    router.awaitUntil("the primary has the request", () -> upstreams.instance("a").requests() == 1);
    router.timePasses(Duration.ofSeconds(2));
    router.awaitUntil("the second has the request", () -> upstreams.instance("b").requests() == 1);
    router.timePasses(Duration.ofSeconds(2));
    router.awaitUntil("the third has the request", () -> upstreams.instance("c").requests() == 1);
    router.timePasses(Duration.ofSeconds(2));
    Reply reply = pending.get(20, TimeUnit.SECONDS);

    assertEquals(504, reply.status());
    assertEquals("deadline_exceeded", reply.body().path("error").path("code").asText());
    var first = reply.trace().path("attempts").get(0);
    assertEquals("no answer within 2s, its share of the route's 6s deadline", first.path("detail").asText());
    assertEquals("deadline", reply.trace().path("attempts").get(2).path("error_class").asText());
  }

  @Test
  void aDeadlineHeaderThatIsNotANumberIsRefused() {
    Reply reply = router.send(HttpRequest.newBuilder(router.uri("/v1/chat/completions"))
        .header("Content-Type", "application/json").header("x-detour-deadline-ms", "soon")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\": \"default\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}")));

    assertEquals(400, reply.status());
    assertTrue(reply.body().path("error").path("message").asText().contains("x-detour-deadline-ms"));
  }
}
