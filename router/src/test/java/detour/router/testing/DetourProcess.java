package detour.router.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Detour as an operator runs it: {@code java -jar target/detour.jar} in a process of its own, on a
 * free loopback port, with the given configuration file and environment. Bounded: it is stopped
 * (or killed) by the test, and never outlives it.
 */
public final class DetourProcess implements AutoCloseable {
  public static final Path JAR = Path.of("target", "detour.jar");
  private static final Duration START_PATIENCE = Duration.ofSeconds(60);

  private final Process process;
  private final int port;
  private final List<String> output = new ArrayList<>();
  private volatile boolean paused;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final CompletableFuture<Void> outputRead = new CompletableFuture<>();
  private CompletableFuture<Boolean> bound;

  private DetourProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts the jar and returns once it logs "HTTP bound"; fails with its output otherwise. */
  public static DetourProcess start(Path configFile, Map<String, String> environment) throws Exception {
    var detour = launch(configFile, environment);
    var bound = detour.bound.completeOnTimeout(false, START_PATIENCE.toSeconds(), TimeUnit.SECONDS);
    if (!bound.get()) {
      detour.close();
      throw new IllegalStateException("Detour did not start: " + detour.output());
    }
    return detour;
  }

  /**
   * Starts the jar and returns at once, without waiting for it to serve: for a node expected to
   * stop by itself ({@link #awaitExit}).
   */
  public static DetourProcess launch(Path configFile, Map<String, String> environment) throws IOException {
    if (!Files.exists(JAR)) throw new IllegalStateException("the package phase builds " + JAR.toAbsolutePath());
    int port = freePort();
    var command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-Dh2.bindAddress=127.0.0.1", "-Dconfig.file=" + configFile.toAbsolutePath(),
        "-jar", JAR.toAbsolutePath().toString());
    var builder = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = new HashMap<>(environment);
    env.put("DETOUR_PORT", Integer.toString(port));
    builder.environment().putAll(env);
    var detour = new DetourProcess(builder.start(), port);
    detour.bound = detour.watchFor("HTTP bound");
    return detour;
  }

  /** How a process run to its end ended: its exit code and each of its two streams. */
  public record Ended(int exitCode, String stdout, String stderr) {}

  /**
   * Runs the jar to its end, for a start that is refused. {@code DETOUR_PORT} is a free port unless
   * the environment sets it.
   */
  public static Ended refusedStart(Path configFile, Map<String, String> environment, Duration patience)
      throws Exception {
    return runToEnd(List.of("-jar", JAR.toAbsolutePath().toString()), configFile, environment, patience);
  }

  /** Runs one of the jar's command-line tools ({@code mainClass}) to its end, as scripts/detour does. */
  public static Ended runTool(String mainClass, Path configFile, Map<String, String> environment, Duration patience,
      String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("-cp", JAR.toAbsolutePath().toString(), mainClass));
    command.addAll(List.of(args));
    return runToEnd(command, configFile, environment, patience);
  }

  /** Standard output and standard error apart; killed, and a failure, if it still runs after {@code patience}. */
  private static Ended runToEnd(List<String> what, Path configFile, Map<String, String> environment,
      Duration patience) throws Exception {
    if (!Files.exists(JAR)) throw new IllegalStateException("the package phase builds " + JAR.toAbsolutePath());
    Path out = Files.createTempFile("detour-stdout", ".txt");
    Path err = Files.createTempFile("detour-stderr", ".txt");
    try {
      List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx256m", "-Dh2.bindAddress=127.0.0.1", "-Dconfig.file=" + configFile.toAbsolutePath()));
      command.addAll(what);
      var builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
      builder.environment().put("DETOUR_PORT", Integer.toString(freePort()));
      builder.environment().putAll(environment);
      Process process = builder.start();
      if (!process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
        throw new IllegalStateException(what + " still ran after " + patience.toSeconds() + " s: " + Files.readString(out)
            + Files.readString(err));
      }
      return new Ended(process.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /**
   * Waits for the process to end by itself, and for its last output to be read.
   *
   * @return its exit code, or empty if it still runs after {@code patience}
   */
  public OptionalInt awaitExit(Duration patience) throws Exception {
    if (!process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) return OptionalInt.empty();
    outputRead.get(10, TimeUnit.SECONDS);
    return OptionalInt.of(process.exitValue());
  }

  public int port() {
    return port;
  }

  public HttpResponse<String> chat(String route) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(20))
            .POST(HttpRequest.BodyPublishers.ofString(
                "{\"model\":\"" + route + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Posts a JSON body with a bearer token (the admin API). */
  public HttpResponse<String> post(String path, String json, String bearer) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Content-Type", "application/json").header("Authorization", "Bearer " + bearer)
            .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** SIGKILL: no shutdown hook, no coordinated shutdown, nothing flushed. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(15, TimeUnit.SECONDS);
  }

  /**
   * SIGTERM, as an orchestrator stops a node: its coordinated shutdown leaves the cluster and hands
   * its breakers over. True if it ended by itself within the patience; killed otherwise.
   */
  public boolean stop(Duration patience) throws InterruptedException {
    process.destroy();
    if (process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) return true;
    kill();
    return false;
  }

  /** SIGSTOP: the process freezes as a hung or cut-off node would, its sockets open; see {@link #resume}. */
  public void pause() throws Exception {
    signal("STOP");
    paused = true;
  }

  /** SIGCONT: a paused process goes on where it stopped. */
  public void resume() throws Exception {
    signal("CONT");
    paused = false;
  }

  private void signal(String name) throws Exception {
    var kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
    }
  }

  public List<String> output() {
    synchronized (output) {
      return List.copyOf(output);
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (paused) {
      kill();  // a stopped process would hold SIGTERM until resumed
      return;
    }
    process.destroy();
    if (!process.waitFor(15, TimeUnit.SECONDS)) kill();
  }

  /** Completes with true once the process prints the line, false if it ends first. */
  private CompletableFuture<Boolean> watchFor(String text) {
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
        // the process went away
      }
      seen.complete(false);
      outputRead.complete(null);
    }, "detour-output");
    reader.setDaemon(true);
    reader.start();
    return seen;
  }

  /** A port nothing listens on now, on loopback. */
  public static int freePort() throws IOException {
    try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
