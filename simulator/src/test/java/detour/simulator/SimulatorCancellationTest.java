package detour.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import detour.simulator.testing.SimulatorExtension;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The {@code cancelled} counter: a client that closes its connection before the answer or the
 * stream is complete is seen, whatever the mode; a client that reads to the end is not.
 */
class SimulatorCancellationTest {

  @RegisterExtension static final SimulatorExtension simulator = new SimulatorExtension("a");
  private static SimulatedInstance a;
  private static final SimClient client = new SimClient();

  @BeforeAll
  static void findInstance() {
    a = simulator.instance("a");
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void closingAStreamAfterItsFirstChunkCountsAsCancelled(Wire wire) throws Exception {
    // 100 chunks, 100 ms apart: ten seconds of stream, far beyond the wait below.
    client.behave(
        a, "{\"mode\":\"ok\",\"chunks\":100,\"chunk_interval_ms\":100,\"answer_bytes\":400}");
    HttpResponse<InputStream> response = client.stream(a, wire, null);
    InputStream body = response.body();

    SseEvents.Result start = SseEvents.read(body, 1);
    assertEquals(1, start.events().size());
    body.close();

    SimClient.awaitTrue(() -> a.stats().cancelled() == 1, "the simulator sees the cancel");
    InstanceStats stats = a.stats();
    assertEquals(1, stats.ok());
    assertEquals(1, stats.streams());
  }

  @Test
  void abandoningAStallForeverStreamCountsAsCancelled() throws Exception {
    client.behave(a, "{\"mode\":\"stall-first-token\"}");
    HttpResponse<InputStream> response = client.stream(a, Wire.ANTHROPIC, null);

    assertEquals(200, response.statusCode(), "the headers came, then nothing");
    response.body().close();

    SimClient.awaitTrue(() -> a.stats().cancelled() == 1, "the simulator sees the cancel");
    assertEquals(1, a.stats().stalled());
    SimClient.awaitTrue(() -> a.openConnections() == 0, "the connection is closed");
  }

  @Test
  void givingUpOnAHungRequestCountsAsCancelled() {
    client.behave(a, "{\"mode\":\"hang\"}");
    HttpRequest request =
        HttpRequest.newBuilder(client.request(a, Wire.OPENAI, false, null), (n, v) -> true)
            .timeout(Duration.ofMillis(200))
            .build();

    assertThrows(
        HttpTimeoutException.class, () -> client.http.send(request, BodyHandlers.ofString()));

    SimClient.awaitTrue(() -> a.stats().cancelled() == 1, "the simulator sees the cancel");
    assertEquals(1, a.stats().hung());
  }

  @Test
  void answersReadToTheEndAreNotCancelled() {
    for (Wire wire : Wire.values()) {
      assertTrue(wire.ended(client.streamAll(a, wire, null)));
      assertEquals(200, client.chat(a, wire, null).statusCode());
    }
    client.behave(a, "{\"mode\":\"slow\",\"delay_ms\":20}");
    assertEquals(200, client.chat(a, Wire.GEMINI, null).statusCode());

    InstanceStats stats = a.stats();
    assertEquals(7, stats.ok());
    assertEquals(0, stats.cancelled());
  }
}
