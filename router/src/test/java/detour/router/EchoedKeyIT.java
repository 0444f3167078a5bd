package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import detour.simulator.Behaviour;
import detour.simulator.testing.SimulatorExtension;
import detour.providers.testing.TestClock;
import detour.router.testing.RouterHarness;
import detour.router.testing.RouterHarness.Reply;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstreams that echo Detour's own key back in their errors (in the message, the code, the type,
 * the param and a header), in each protocol: {@code a} speaks OpenAI, {@code b} Anthropic, {@code
 * c} Gemini. Whatever the status, the caller's answer carries no trace of the key; a code that is
 * only a code is still passed on.
 */
class EchoedKeyIT {
  /** Each provider's key; the tail is what must never reach a caller. */
  static final Map<String, String> KEYS = Map.of(
      "a", "sk-detour-Q7vX9pL2mK4wA",
      // Joined here so that the source holds nothing a secret scanner takes for a real Anthropic key.
      "b", "sk-ant-" + "detour-Q7vX9pL2mK4wB",
      "c", "gemini-detour-Q7vX9pL2mK4wC");  // a shape no pattern knows: masked as a configured key

  @RegisterExtension static final SimulatorExtension upstreams = new SimulatorExtension("a", "b", "c");
  @TempDir static Path journalDir;
  static RouterHarness router;

  @BeforeAll
  static void start() {
    String keys = String.join("\n",
        RouterHarness.SIMPLE_RECOVERY,
        "detour.providers.a { api-key = \"" + KEYS.get("a") + "\" }",
        "detour.providers.b { protocol = anthropic, api-key = \"" + KEYS.get("b") + "\" }",
        "detour.providers.c { protocol = gemini, api-key = \"" + KEYS.get("c") + "\", base-url = \""
            + upstreams.instance("c").baseUrl().replace("/v1", "/v1beta") + "\" }");
    router = RouterHarness.start(upstreams.simulator(), List.of("a", "b", "c"), journalDir.resolve("journal"),
        TestClock.at("2026-01-05T09:00:00Z"), keys);
  }

  @AfterAll
  static void stop() {
    router.close();
  }

  @ParameterizedTest(name = "provider {0}")
  @ValueSource(strings = {"a", "b", "c"})
  void aKeyEchoedInAnUpstreamErrorNeverReachesTheCaller(String provider) {
    String key = KEYS.get(provider);
    // What scrubbing keeps: a code that is a code, passed on as the caller's error code.
    upstreams.instance(provider).behave(Behaviour.echoError(400, "some_upstream_code.v2"));
    Reply coded = chat(provider);
    assertEquals(400, coded.status(), coded.raw().body());
    assertEquals("some_upstream_code.v2", coded.body().path("error").path("code").asText(), coded.raw().body());

    List<String> echoes = List.of("Bearer " + key, key, "Incorrect API key provided: " + key + ".");
    // The caller's fault (returned as is, the upstream's code passed on), a rate limit (failed
    // over), then our key refused: once, last, since it may open the provider's circuit.
    List<Map.Entry<Integer, String>> cases = new java.util.ArrayList<>();
    echoes.forEach(echo -> cases.add(Map.entry(400, echo)));
    echoes.forEach(echo -> cases.add(Map.entry(429, echo)));
    cases.add(Map.entry(401, echoes.get(2)));
    int calls = 1;
    for (var c : cases) {
      upstreams.instance(provider).behave(Behaviour.echoError(c.getKey(), c.getValue()));

      Reply reply = chat(provider);

      calls++;
      assertEquals(calls, upstreams.instance(provider).requests(), "the upstream was asked: " + reply.raw().body());
      assertTrue(reply.status() >= 400, reply.raw().body());
      assertNoTraceOf(key, reply, provider + " " + c.getKey() + " echoing '" + c.getValue() + "'");
    }
  }

  private static Reply chat(String provider) {
    return router.chat("{\"model\":\"model-" + provider + "\",\"messages\":[{\"role\":\"user\","
        + "\"content\":\"Say hello.\"}]}");
  }

  private static void assertNoTraceOf(String key, Reply reply, String what) {
    String tail = key.substring(key.length() - 12);
    String body = reply.raw().body();
    assertFalse(body.contains(tail), what + ": the body carries the key: " + body);
    reply.raw().headers().map().forEach((name, values) -> values.forEach(value ->
        assertFalse(value.contains(tail), what + ": header " + name + " carries the key: " + value)));
    assertFalse(reply.raw().headers().map().containsKey("x-sim-echo"), what + ": an upstream header was passed on");
  }
}
