package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import detour.simulator.Behaviour;
import detour.providers.testing.TestClock;
import detour.router.testing.RouterHarness;
import detour.router.testing.RouterHarness.Reply;
import detour.simulator.testing.SimulatorExtension;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Routes' guardrails over real HTTP, in front of simulated providers. */
class GuardrailsIT {
  @RegisterExtension static final SimulatorExtension upstreams = new SimulatorExtension("a", "b", "c", "d");
  @TempDir static Path journalDir;
  static RouterHarness router;

  @BeforeAll
  static void start() {
    router = RouterHarness.start(upstreams.simulator(), List.of("a", "b", "c", "d"), journalDir.resolve("journal"),
        TestClock.at("2026-01-05T09:00:00Z"), RouterHarness.SIMPLE_RECOVERY + """

            detour.models.model-a { family = gpt, tier = 1, price { input-per-mtok = 0.15, output-per-mtok = 0.60 } }
            detour.models.model-b { family = llama, tier = 1, price { input-per-mtok = 0.59, output-per-mtok = 0.79 } }
            detour.models.model-c { family = claude, tier = 2, price { input-per-mtok = 3.00, output-per-mtok = 15.00 } }
            detour.models.model-d { family = gemini, tier = 2, price { input-per-mtok = 0.30, output-per-mtok = 2.50 } }
            detour.routes.default.guardrails { families = [gpt, claude, gemini], max-price-per-mtok = 1.00 }
            detour.routes.frugal { chain = [model-a, model-d], guardrails.max-request-cost = 0.001 }
            detour.models.model-e { provider = a, upstream-model = small, context-window = 4096, family = gpt }
            detour.routes.long { chain = [model-e, model-d], guardrails.check-context-window = on }
            """);
  }

  @AfterAll
  static void stop() {
    router.close();
  }

  @Test
  void aFallbackOfAnotherFamilyAndOneTooExpensiveAreSkippedWithoutBeingAsked() {
    upstreams.instance("a").behave(Behaviour.error(500));

    Reply reply = router.chat();

    assertEquals(200, reply.status());
    assertEquals("d", reply.header("x-detour-provider"));
    assertEquals("2", reply.header("x-detour-attempts"), "the primary and the one that answered");
    JsonNode attempts = reply.trace().path("attempts");
    assertEquals("failed", attempts.get(0).path("result").asText());
    assertEquals("skipped", attempts.get(1).path("result").asText());
    assertEquals("its family 'llama' is not one of the route's families: claude, gemini, gpt",
        attempts.get(1).path("detail").asText());
    assertEquals("skipped", attempts.get(2).path("result").asText());
    assertEquals("its blended price of $6.00 per million tokens (3:1 input:output) exceeds the route's "
        + "max-price-per-mtok of $1.00", attempts.get(2).path("detail").asText());
    assertEquals("answered", attempts.get(3).path("result").asText());
    assertEquals(0, upstreams.instance("b").requests() + upstreams.instance("c").requests());
  }

  @Test
  void whenTheGuardrailsLeaveNoCandidateTheCallerGetsA400ListingEveryReason() {
    Reply reply = router.chat("{\"model\": \"frugal\", \"max_tokens\": 10000, "
        + "\"messages\": [{\"role\": \"user\", \"content\": \"Write a long story.\"}]}");

    // The same request would be refused by the same guardrails again: not a 503 that SDKs retry.
    assertEquals(400, reply.status());
    assertEquals("invalid_request_error", reply.body().path("error").path("type").asText());
    assertEquals("no_capable_candidate", reply.body().path("error").path("code").asText());
    String message = reply.body().path("error").path("message").asText();
    assertTrue(message.startsWith("No candidate of 'frugal' can serve this request as it is"), message);
    assertTrue(message.contains("a/model-a skipped (its estimated cost of $0.006"), message);
    assertTrue(message.contains("d/model-d skipped (its estimated cost of $0.025"), message);
    assertTrue(message.contains("exceeds the route's max-request-cost of $0.001"), message);
    assertNull(reply.header("Retry-After"), "no circuit is open: waiting would change nothing");
    assertEquals("0", reply.header("x-detour-attempts"));
    assertEquals(0, upstreams.instance("a").requests() + upstreams.instance("d").requests());
  }

  @Test
  void aPromptTooLargeForTheSmallWindowGoesStraightToTheLargerOne() {
    String prompt = "hello ".repeat(6_000);  // ~6,006 tokens: 80 % of it and 1,024 reserved overflow 4,096, not 8,192
    Reply reply = router.chat("{\"model\": \"long\", \"messages\": [{\"role\": \"user\", \"content\": \"" + prompt + "\"}]}");

    assertEquals(200, reply.status());
    assertEquals("d", reply.header("x-detour-provider"));
    JsonNode skipped = reply.trace().path("attempts").get(0);
    assertEquals("model-e", skipped.path("model").asText());
    assertEquals("prompt of ~6006 tokens + 1024 reserved exceeds the 4096-token window", skipped.path("detail").asText());
    assertEquals(0, upstreams.instance("a").requests(), "the small window was not asked");
  }
}
