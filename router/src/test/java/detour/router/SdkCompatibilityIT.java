package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import detour.simulator.Behaviour;
import detour.providers.testing.TestClock;
import detour.router.testing.RouterHarness;
import detour.simulator.testing.SimulatorExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official {@code openai} SDK from npm, driven by Node.js against Detour: answers, streams,
 * the route trace riding along unnoticed, and errors raised as the SDK's own typed errors. The
 * SDK is installed by {@code scripts/detour test} (npm ci in router/src/test/node).
 */
class SdkCompatibilityIT {
  private static final Path CHECK = Path.of("src/test/node/sdk-check.mjs").toAbsolutePath();
  private static final Path SDK = Path.of("src/test/node/node_modules/openai").toAbsolutePath();
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final SimulatorExtension upstreams = new SimulatorExtension("a", "b");
  @TempDir static Path journalDir;
  static RouterHarness router;

  @BeforeAll
  static void start() {
    assertTrue(Files.isDirectory(SDK), "the openai SDK is not installed in " + SDK.getParent()
        + ": run the tests with scripts/detour test, which installs it (npm ci)");
    router = RouterHarness.start(upstreams.simulator(), List.of("a", "b"), journalDir.resolve("journal"),
        TestClock.at("2026-01-05T09:00:00Z"));
  }

  @AfterAll
  static void stop() {
    router.close();
  }

  @Test
  void theSdkReadsAnAnswerAndIgnoresTheTrace() throws Exception {
    JsonNode seen = sdk("complete");

    assertFalse(seen.path("content").asText().isEmpty(), seen.toString());
    assertEquals("stop", seen.path("finish").asText());
    assertTrue(seen.path("usage").path("total_tokens").asInt() > 0, seen.toString());
    assertEquals("a", seen.path("detour").path("provider").asText(), "the trace rides along as an extra field");
  }

  @Test
  void theSdkReadsAStreamWithUsageAndTheTraceOnItsLastChoiceChunk() throws Exception {
    upstreams.instance("a").behave(Behaviour.error(503));

    JsonNode seen = sdk("stream");

    assertFalse(seen.path("content").asText().isEmpty(), seen.toString());
    assertEquals("stop", seen.path("finish").asText());
    assertTrue(seen.path("usage").path("completion_tokens").asInt() > 0, "include_usage is honoured: " + seen);
    assertEquals("b", seen.path("detour").path("provider").asText(), "the fallback answered: " + seen);
    assertEquals("failed", seen.path("detour").path("attempts").path(0).path("result").asText());
  }

  @Test
  void theSdkReassemblesAStreamedToolCall() throws Exception {
    JsonNode seen = sdk("stream-tools");

    assertEquals("tool_calls", seen.path("finish").asText(), seen.toString());
    JsonNode call = seen.path("toolCalls").path(0);
    assertEquals("get_weather", call.path("name").asText());
    assertTrue(JSON.readTree(call.path("arguments").asText()).has("city"), "arguments are whole JSON: " + call);
  }

  @Test
  void anUnknownModelIsTheSdksNotFoundError() throws Exception {
    JsonNode seen = sdk("unknown-model");

    assertTrue(seen.path("raised").asBoolean(), seen.toString());
    assertEquals("NotFoundError", seen.path("name").asText());
    assertEquals(404, seen.path("status").asInt());
    assertEquals("model_not_found", seen.path("code").asText());
  }

  @Test
  void aStreamBrokenAfterItsFirstContentIsAnErrorTheSdkRaises() throws Exception {
    upstreams.instance("a").behave(Behaviour.streamDrop(2));

    JsonNode seen = sdk("stream-broken");

    assertTrue(seen.path("raised").asBoolean(), "the SDK must not end the stream as if complete: " + seen);
    assertEquals("APIError", seen.path("name").asText(), seen.toString());
    assertTrue(seen.path("message").asText().contains("broke off"), seen.toString());
  }

  private static JsonNode sdk(String scenario) throws IOException, InterruptedException {
    Process node = new ProcessBuilder("node", CHECK.toString(), router.uri("/v1").toString(), scenario)
        .redirectErrorStream(true).start();
    if (!node.waitFor(60, TimeUnit.SECONDS)) {
      node.destroyForcibly();
      throw new AssertionError("the SDK check '" + scenario + "' did not end within 60 s");
    }
    String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    String last = out.lines().reduce((a, b) -> b).orElse("");
    assertEquals(0, node.exitValue(), "node failed: " + out);
    return JSON.readTree(last);
  }
}
