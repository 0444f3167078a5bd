package detour.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.http.javadsl.settings.ServerSettings;
import com.typesafe.config.Config;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Starting and stopping simulators: ports, names, configuration, and what close does. */
class ProviderSimulatorLifecycleTest {

  private static final String ONE_MESSAGE =
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void closeDropsHungRequests() throws Exception {
    ProviderSimulator simulator = ProviderSimulator.startOnFreePorts("a");
    SimulatedInstance a = simulator.instance("a");
    a.behave(Behaviour.hang());
    CompletableFuture<HttpResponse<String>> hung =
        client.sendAsync(chat(a, Duration.ofSeconds(8)), BodyHandlers.ofString());
    awaitTrue(() -> a.stats().hung() == 1, "the request reaches the instance");

    long started = System.nanoTime();
    simulator.close();

    assertTrue(
        Duration.ofNanos(System.nanoTime() - started).compareTo(ProviderSimulator.TIMEOUT) < 0);
    ExecutionException failed =
        assertThrows(ExecutionException.class, () -> hung.get(8, TimeUnit.SECONDS));
    assertTrue(failed.getCause() instanceof IOException, failed.getCause().toString());
    assertFalse(failed.getCause() instanceof HttpTimeoutException, "dropped, not timed out");
    simulator.close(); // twice is harmless
  }

  @Test
  void hungConnectionIsReleasedWhenTheClientGivesUp() throws Exception {
    try (ProviderSimulator simulator = ProviderSimulator.startOnFreePorts("a")) {
      SimulatedInstance a = simulator.instance("a");
      a.behave(Behaviour.hang());

      assertThrows(
          HttpTimeoutException.class,
          () -> client.send(chat(a, Duration.ofMillis(200)), BodyHandlers.ofString()));

      awaitTrue(() -> a.openConnections() == 0, "the server closes the abandoned connection");
    }
  }

  @Test
  void portAlreadyTakenFailsWithAClearMessage() {
    try (ProviderSimulator first = ProviderSimulator.startOnFreePorts("a")) {
      int taken = first.instance("a").port();

      IllegalStateException failure =
          assertThrows(
              IllegalStateException.class, () -> ProviderSimulator.start(Map.of("x", taken)));

      assertTrue(
          failure.getMessage().contains("instance 'x' could not bind 127.0.0.1:" + taken),
          failure.getMessage());
    }
  }

  @Test
  void bindFailureStopsEverythingAndNamesTheInstance() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    Map<String, Integer> clash = new LinkedHashMap<>();
    clash.put("x", port);
    clash.put("y", port); // passes the free-port probe, loses the race at Akka's bind

    IllegalStateException failure =
        assertThrows(IllegalStateException.class, () -> ProviderSimulator.start(clash));

    // Both bind at once, so either may be the one that loses.
    assertTrue(
        failure.getMessage().matches(".*instance '[xy]' could not bind 127\\.0\\.0\\.1:" + port + ".*"),
        failure.getMessage());
    // Nothing was left listening: the port can be had again at once.
    try (ProviderSimulator again = ProviderSimulator.start(Map.of("x", port))) {
      assertEquals(port, again.instance("x").port());
    }
  }

  @Test
  void rejectsBadNamesAndPorts() {
    assertThrows(IllegalArgumentException.class, () -> ProviderSimulator.start(Map.of()));
    assertThrows(IllegalArgumentException.class, () -> ProviderSimulator.start(Map.of("a b", 0)));
    assertThrows(IllegalArgumentException.class, () -> ProviderSimulator.start(Map.of("a", 70000)));
    assertThrows(
        IllegalArgumentException.class, () -> ProviderSimulator.startOnFreePorts("a", "a"));
  }

  @Test
  void serverNeverTimesOutAndReadsNoApplicationConf() {
    Config config = ProviderSimulator.config();
    ServerSettings settings = ServerSettings.create(config);

    assertFalse(settings.getTimeouts().requestTimeout().isFinite());
    assertFalse(settings.getTimeouts().idleTimeout().isFinite());
    assertEquals("local", config.getString("akka.actor.provider"));
    assertEquals("WARNING", config.getString("akka.loglevel"));
  }

  private static HttpRequest chat(SimulatedInstance instance, Duration timeout) {
    return HttpRequest.newBuilder(URI.create(instance.baseUrl() + "/chat/completions"))
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .POST(BodyPublishers.ofString(ONE_MESSAGE))
        .build();
  }

  /** Waits, without sleeping, up to 5 s for a condition another thread makes true. */
  private static void awaitTrue(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.onSpinWait();
      Thread.yield();
    }
  }
}
