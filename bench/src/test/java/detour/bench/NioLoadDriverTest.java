package detour.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import detour.simulator.Behaviour;
import detour.simulator.testing.SimulatorExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark's NIO driver counts what the server answered, by status, and accounts for every
 * request it was asked to send. Counts only: no assertion on time.
 */
class NioLoadDriverTest {
  @RegisterExtension static final SimulatorExtension upstreams = new SimulatorExtension("a");

  private static JsonNode drive(Path dir, String phase) throws Exception {
    Path body = dir.resolve("body.json");
    Files.writeString(body, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]}");
    return NioLoadDriver.run(new String[] {"--url", upstreams.instance("a").baseUrl() + "/chat/completions",
        "--body", body.toString(), "--phase", phase, "--connections", "4", "--drain", "10",
        "--out", dir.resolve("out.json").toString()});
  }

  @Test
  void everyRequestOfThePhasesIsSentAnsweredAndCountedByStatus(@TempDir Path dir) throws Exception {
    JsonNode result = drive(dir, "200:1");

    assertEquals(200, result.path("intended").asInt());
    assertEquals(200, result.path("ok").asInt());
    assertEquals(200, result.path("statuses").path("200").asInt());
    assertEquals(0, result.path("unfinished").asInt());
    assertEquals(200, upstreams.instance("a").requests(), "each request sent once, on 4 keep-alive connections");
    assertEquals(200, result.path("latency_ms").path("count").asInt());
  }

  @Test
  void errorsAreCountedByTheirStatusAndNotAsSuccesses(@TempDir Path dir) throws Exception {
    upstreams.instance("a").behave(Behaviour.error(503));
    JsonNode result = drive(dir, "100:1");

    assertEquals(0, result.path("ok").asInt());
    assertEquals(100, result.path("statuses").path("503").asInt());
    assertEquals(100, result.path("errors").asInt());
    assertEquals(100, result.path("failed_service_ms").path("count").asInt());
  }

  @Test
  void aConnectionTheServerDropsIsATransportErrorAndIsOpenedAgain(@TempDir Path dir) throws Exception {
    upstreams.instance("a").behave(Behaviour.reset());
    JsonNode result = drive(dir, "50:1");

    assertEquals(50, result.path("transport_errors").asInt(), "every request lost with its connection");
    assertEquals(50, result.path("reconnects").asInt());
    assertEquals(0, result.path("unfinished").asInt());
  }
}
