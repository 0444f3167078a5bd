package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import detour.providers.breaker.BreakerState.Circuit;
import detour.simulator.Behaviour;
import detour.providers.testing.TestClock;
import detour.router.testing.RouterHarness;
import detour.simulator.testing.SimulatorExtension;
import detour.router.testing.RouterHarness.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A request that really fails over: the router over HTTP, in front of the provider simulator. */
class FailoverIT {
  @RegisterExtension static final SimulatorExtension upstreams = new SimulatorExtension("a", "b");
  @TempDir Path journalDir;
  RouterHarness router;

  @BeforeEach
  void startRouter() {
    router = RouterHarness.start(upstreams.simulator(), List.of("a", "b"), journalDir.resolve("journal"),
        TestClock.at("2026-01-05T09:00:00Z"));
  }

  @AfterEach
  void stopRouter() {
    router.close();
  }

  @Test
  void healthyPrimaryAnswersWithATraceOfOneAttempt() {
    Reply reply = router.chat();

    assertEquals(200, reply.status());
    assertEquals("chat.completion", reply.body().path("object").asText());
    assertEquals("default", reply.header("x-detour-route"));
    assertEquals("a", reply.header("x-detour-provider"));
    assertEquals("model-a", reply.header("x-detour-model"));
    assertEquals("1", reply.header("x-detour-attempts"));
    assertEquals("answered", reply.trace().path("attempts").get(0).path("result").asText());
    assertTrue(reply.body().path("usage").path("total_tokens").asInt() > 0, "usage is passed through");
    assertEquals(0, upstreams.instance("b").requests());
  }

  @Test
  void primaryAnswering503FailsOverToTheFallbackWithATraceNamingBoth() {
    upstreams.instance("a").behave(Behaviour.error(503));

    Reply reply = router.chat();

    assertEquals(200, reply.status());
    assertEquals("b", reply.header("x-detour-provider"));
    assertEquals("model-b", reply.header("x-detour-model"));
    assertEquals("2", reply.header("x-detour-attempts"));
    var attempts = reply.trace().path("attempts");
    assertEquals("a", attempts.get(0).path("provider").asText());
    assertEquals("failed", attempts.get(0).path("result").asText());
    assertEquals(503, attempts.get(0).path("status").asInt());
    assertEquals("overloaded", attempts.get(0).path("error_class").asText());
    assertEquals("b", attempts.get(1).path("provider").asText());
    assertEquals("answered", attempts.get(1).path("result").asText());
  }

  @Test
  void aRefusedConnectionFailsOverToo() {
    upstreams.instance("a").behave(Behaviour.reset());

    Reply reply = router.chat();

    assertEquals(200, reply.status());
    assertEquals("b", reply.header("x-detour-provider"));
    assertEquals("connection_reset", reply.trace().path("attempts").get(0).path("error_class").asText());
  }

  @Test
  void aPrimaryThatDoesNotAnswerWithinTheAttemptTimeoutIsAbandonedForTheFallback() throws Exception {
    // Slow in real time, so the abandoned call still ends and the node can stop; on the router's
    // manual clock it never answers before the attempt-timeout.
    upstreams.instance("a").behave(Behaviour.slow(3_000));

    var pending = router.chatInBackground();
    router.awaitUntil("the primary has the request", () -> upstreams.instance("a").requests() == 1);
    router.timePasses(Duration.ofSeconds(60));  // the providers' default attempt-timeout
    Reply reply = pending.get(20, java.util.concurrent.TimeUnit.SECONDS);

    assertEquals(200, reply.status());
    assertEquals("b", reply.header("x-detour-provider"));
    var abandoned = reply.trace().path("attempts").get(0);
    assertEquals("total_timeout", abandoned.path("error_class").asText());
    assertEquals("no answer within 60s", abandoned.path("detail").asText());
  }

  @Test
  void aClientErrorIsReturnedAsIsWithoutFailover() {
    upstreams.instance("a").behave(Behaviour.error(400));

    Reply reply = router.chat();

    assertEquals(400, reply.status());
    assertEquals("invalid_request_error", reply.body().path("error").path("type").asText());
    assertEquals(0, upstreams.instance("b").requests(), "a client error never fails over");
    router.assertCircuit("a", Circuit.CLOSED);
  }

  @Test
  void whenEveryCandidateFailsTheCallerGets503WithTheFullTrace() {
    upstreams.instance("a").behave(Behaviour.error(500));
    upstreams.instance("b").behave(Behaviour.error(502));

    Reply reply = router.chat();

    assertEquals(503, reply.status());
    assertEquals("no_candidate_available", reply.body().path("error").path("code").asText());
    assertEquals("server_error", reply.body().path("error").path("type").asText());
    var attempts = reply.trace().path("attempts");
    assertEquals(2, attempts.size());
    assertEquals(500, attempts.get(0).path("status").asInt());
    assertEquals(502, attempts.get(1).path("status").asInt());
  }

  @Test
  void afterFiveFaultsThePrimaryGetsNothingUntilTheCooldownThenOneProbeBringsTrafficBack() {
    var primary = upstreams.instance("a");
    primary.behave(Behaviour.error(503));
    for (int i = 0; i < 5; i++) {
      assertEquals("b", router.chat().header("x-detour-provider"));
    }
    router.assertCircuit("a/model-a", Circuit.OPEN);  // a 503 is the model's fault
    router.assertCircuit("a", Circuit.CLOSED);

    // Open: callers still get answers, the primary gets nothing.
    for (int i = 0; i < 10; i++) {
      Reply reply = router.chat();
      assertEquals(200, reply.status());
      assertEquals("b", reply.header("x-detour-provider"));
      assertEquals("skipped", reply.trace().path("attempts").get(0).path("result").asText());
      assertEquals("1", reply.header("x-detour-attempts"));
    }
    assertEquals(5, primary.requests(), "an open circuit sends the primary nothing");

    // The provider heals; nothing reaches it before the cooldown ends.
    primary.behave(Behaviour.ok());
    router.timePasses(Duration.ofSeconds(29));
    router.assertCircuit("a/model-a", Circuit.OPEN);
    assertEquals("b", router.chat().header("x-detour-provider"));
    assertEquals(5, primary.requests());

    router.timePasses(Duration.ofSeconds(1));
    router.assertCircuit("a/model-a", Circuit.HALF_OPEN);
    Reply probe = router.chat();
    assertEquals("a", probe.header("x-detour-provider"));
    assertTrue(probe.trace().path("attempts").get(0).path("probe").asBoolean(), "the trace marks the probe");
    assertEquals(6, primary.requests(), "exactly one probe reached the primary");
    router.assertCircuit("a/model-a", Circuit.CLOSED);

    for (int i = 0; i < 3; i++) {
      assertEquals("a", router.chat().header("x-detour-provider"));
    }
    assertEquals(9, primary.requests(), "traffic is back on the primary");
  }

  @Test
  void aFailedProbeReopensTheCircuitForTwiceAsLong() {
    var primary = upstreams.instance("a");
    primary.behave(Behaviour.error(503));
    for (int i = 0; i < 5; i++) router.chat();
    router.timePasses(Duration.ofSeconds(30));
    router.assertCircuit("a/model-a", Circuit.HALF_OPEN);

    Reply reply = router.chat();

    assertEquals("b", reply.header("x-detour-provider"));
    assertEquals(6, primary.requests());
    router.assertCircuit("a/model-a", Circuit.OPEN);
    assertEquals(1, router.circuit("a/model-a").reopens());

    // Healed during the second cooldown, which is twice the first: the next probe closes it.
    primary.behave(Behaviour.ok());
    router.timePasses(Duration.ofSeconds(30));
    router.assertCircuit("a/model-a", Circuit.OPEN);
    router.timePasses(Duration.ofSeconds(30));
    assertEquals("a", router.chat().header("x-detour-provider"));
    assertEquals(7, primary.requests());
    router.assertCircuit("a/model-a", Circuit.CLOSED);
  }
}
