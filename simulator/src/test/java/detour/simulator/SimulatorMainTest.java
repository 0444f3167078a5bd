package detour.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The command line: argument parsing in-process, and the real program in a child JVM. */
class SimulatorMainTest {

  @Test
  void parsesInstancesInOrder() {
    assertEquals(
        List.of("a", "b", "c"),
        List.copyOf(
            SimulatorMain.parse(
                    List.of("--instance", "a=9101", "--instance=b=9102", "--instance", "c=0"))
                .keySet()));
    assertEquals(Map.of("a", 9101), SimulatorMain.parse(List.of("--instance", "a=9101")));
  }

  @Test
  void rejectsBadArguments() {
    for (List<String> args :
        List.of(
            List.<String>of(),
            List.of("--instance"),
            List.of("--instance", "a"),
            List.of("--instance", "a=x"),
            List.of("--instance", "a=70000"),
            List.of("--instance", "a=1", "--instance", "a=2"),
            List.of("--port", "1"))) {
      assertThrows(
          IllegalArgumentException.class, () -> SimulatorMain.parse(args), args.toString());
    }
  }

  @Test
  void exitsWith2OnBadArguments() throws Exception {
    Process process = launch("--instance", "nonsense");
    assertTrue(process.waitFor(20, TimeUnit.SECONDS));
    assertEquals(2, process.exitValue());
    String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(stderr.contains("expected NAME=PORT") && stderr.contains("usage:"), stderr);
  }

  @Test
  void exitsWith1WhenThePortIsTaken() throws Exception {
    try (ProviderSimulator holder = ProviderSimulator.startOnFreePorts("holder")) {
      int taken = holder.instance("holder").port();
      Process process = launch("--instance", "a=" + taken);
      assertTrue(process.waitFor(20, TimeUnit.SECONDS));
      assertEquals(1, process.exitValue());
      String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(stderr.contains("instance 'a' could not bind 127.0.0.1:" + taken), stderr);
    }
  }

  @Test
  void servesUntilStopped() throws Exception {
    Process process = launch("--instance", "a=0", "--instance", "b=0");
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      Pattern line =
          Pattern.compile(
              "simulator instance (\\w+) listening on (http://127\\.0\\.0\\.1:\\d+/v1)");
      List<String> urls = new ArrayList<>();
      for (String name : List.of("a", "b")) {
        String printed =
            CompletableFuture.supplyAsync(() -> readInstanceLine(out)).get(20, TimeUnit.SECONDS);
        Matcher matcher = line.matcher(printed == null ? "" : printed);
        assertTrue(matcher.matches(), "printed: " + printed);
        assertEquals(name, matcher.group(1));
        urls.add(matcher.group(2));
      }

      HttpResponse<String> answer =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(urls.get(1) + "/chat/completions"))
                      .timeout(Duration.ofSeconds(5))
                      .POST(
                          BodyPublishers.ofString(
                              "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"))
                      .build(),
                  BodyHandlers.ofString());
      assertEquals(200, answer.statusCode());
      assertTrue(answer.body().contains("sim instance 'b'"));
    } finally {
      process.destroy();
      assertTrue(process.waitFor(20, TimeUnit.SECONDS), "stops on SIGTERM");
    }
  }

  /** The next line announcing an instance; skips log lines (the test class path has Logback). */
  private static String readInstanceLine(BufferedReader reader) {
    try {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (line.startsWith("simulator instance ")) {
          return line;
        }
      }
      return null;
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }

  private static Process launch(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(SimulatorMain.class.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command).start();
  }
}
