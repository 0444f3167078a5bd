package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import detour.providers.simulator.ProviderSimulator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-jar build as an operator runs it: {@code java -jar detour.jar} with the simulated
 * configuration. Proves that every module's defaults survive the merge into one jar (a library's
 * reference.conf once silently undid Detour's request timeout there) and that a request fails over.
 */
class PackagedJarIT {
  static final Path JAR = Path.of("target", "detour.jar");
  static final Duration START_PATIENCE = Duration.ofSeconds(60);

  @Test
  void theJarStartsWithTheSimulatedConfigurationAndFailsOver(@TempDir Path work) throws Exception {
    assertTrue(Files.exists(JAR), "the package phase builds " + JAR.toAbsolutePath());
    try (var simulator = ProviderSimulator.start(Map.of("primary", 0, "fallback", 0))) {
      simulator.instance("primary").behave(detour.providers.simulator.Behaviour.error(503));
      int port = freePort();
      var command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx256m", "-Dh2.bindAddress=127.0.0.1",
          "-Dconfig.file=" + Path.of("..", "scripts", "conf", "simulated.conf").toAbsolutePath(),
          "-jar", JAR.toAbsolutePath().toString());
      var builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.environment().putAll(Map.of(
          "DETOUR_PORT", Integer.toString(port),
          "DETOUR_SIM_PRIMARY_URL", simulator.instance("primary").baseUrl(),
          "DETOUR_SIM_FALLBACK_URL", simulator.instance("fallback").baseUrl(),
          "DETOUR_H2_FILE", work.resolve("journal").toString()));
      Process router = builder.start();
      try {
        List<String> output = new ArrayList<>();
        var bound = watchFor(router, "HTTP bound", output);
        assertTrue(bound.get(START_PATIENCE.toSeconds(), TimeUnit.SECONDS), "not started: " + output);

        var http = HttpClient.newHttpClient();
        var response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(
                    "{\"model\":\"default\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("fallback", response.headers().firstValue("x-detour-provider").orElse(""));
        assertEquals(1, simulator.instance("primary").requests());
      } finally {
        router.destroy();
        if (!router.waitFor(15, TimeUnit.SECONDS)) router.destroyForcibly();
      }
    }
  }

  /** Completes with true once the process prints the line, false if it ends first. */
  private static CompletableFuture<Boolean> watchFor(Process process, String text, List<String> output) {
    var seen = new CompletableFuture<Boolean>();
    var reader = new Thread(() -> {
      try (var lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          synchronized (output) {
            output.add(line);
          }
          if (line.contains(text)) seen.complete(true);
        }
      } catch (IOException ended) {
        // the process went away; handled below
      }
      seen.complete(false);
    }, "router-output");
    reader.setDaemon(true);
    reader.start();
    return seen;
  }

  private static int freePort() throws IOException {
    try (var socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
