package detour.router.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import akka.http.javadsl.Http;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import detour.persistence.DetourConfig;
import detour.persistence.JournalSchema;
import detour.persistence.breaker.BreakerScope;
import detour.providers.breaker.BreakerState;
import detour.providers.breaker.ProviderBreaker;
import detour.simulator.ProviderSimulator;
import detour.providers.testing.TestClock;
import detour.router.Guardian;
import detour.router.config.RouterSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A whole Detour node in the test's JVM, on a real H2 journal file and a real HTTP port, whose
 * timers and clock move only when the test says so. Upstreams are the provider simulator's
 * instances, which run on real time in their own actor system.
 */
public final class RouterHarness implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration PATIENCE = Duration.ofSeconds(20);

  private final ActorTestKit testKit;
  private final ManualTime manualTime;
  private final TestClock clock;
  private final Guardian.Started started;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(PATIENCE).build();

  private RouterHarness(ActorTestKit testKit, TestClock clock, Guardian.Started started) {
    this.testKit = testKit;
    this.manualTime = ManualTime.get(testKit.system());
    this.clock = clock;
    this.started = started;
  }

  /**
   * Starts a node whose providers are the simulator's instances (one model {@code model-<name>}
   * each) and whose route {@code default} chains them in the given order.
   */
  public static RouterHarness start(ProviderSimulator simulator, List<String> chain, Path journal, TestClock clock) {
    return start(simulator, chain, journal, clock, SIMPLE_RECOVERY);
  }

  /**
   * Recovery in one step (one probe closes the circuit) after exactly 30 s (no jitter), for tests
   * about failover rather than about the recovery's stages; those have tests of their own.
   */
  public static final String SIMPLE_RECOVERY =
      "detour.breaker { half-open-probes = 1, ramp-stages = [], cooldown-jitter = 0 }";

  /** As {@link #start(ProviderSimulator, List, Path, TestClock)}, with more configuration on top. */
  public static RouterHarness start(
      ProviderSimulator simulator, List<String> chain, Path journal, TestClock clock, String extraConfig) {
    StringBuilder conf = new StringBuilder();
    conf.append("detour.http { host = \"127.0.0.1\", port = 0 }\n");
    conf.append("detour.journal.h2-file = \"").append(journal.toAbsolutePath().toString().replace('\\', '/')).append("\"\n");
    conf.append("akka.loglevel = WARNING\n");
    // The journal's own circuit breaker times its writes on the scheduler, which the test moves by
    // hand: a jump of the clock past a write in flight would fail that write. Real H2 writes take
    // milliseconds; an hour is beyond any jump a test makes.
    conf.append("jdbc-journal.circuit-breaker.call-timeout = 1h\n");
    conf.append("jdbc-snapshot-store.circuit-breaker.call-timeout = 1h\n");
    // The cluster's own timers (joining, sharding, shutdown) run on the scheduler the test moves by
    // hand, so the harness runs each breaker as a local actor; the real jar runs a cluster of one
    // (DetourProcess), and ClusterIT runs three nodes.
    conf.append("akka.actor.provider = local\n");
    conf.append("detour.cluster.formation = off\n");
    for (String name : chain) {
      conf.append("detour.providers.").append(name).append(" { base-url = \"")
          .append(simulator.instance(name).baseUrl()).append("\", api-key-required = off }\n");
      conf.append("detour.models.model-").append(name).append(" { provider = ").append(name)
          .append(", context-window = 8192 }\n");
    }
    conf.append("detour.routes.default { chain = [")
        .append(String.join(", ", chain.stream().map(n -> "model-" + n).toList())).append("] }\n");
    conf.append(extraConfig).append('\n');  // last, so that a test may override any of the above
    Config config = DetourConfig.load(ManualTime.config().withFallback(ConfigFactory.parseString(conf.toString())));

    JournalSchema.keepH2OnLoopback();
    var testKit = ActorTestKit.create("detour-test", config);
    var startedFuture = new CompletableFuture<Guardian.Started>();
    testKit.spawn(Guardian.create(RouterSettings.from(config), clock, startedFuture), "guardian");
    try {
      return new RouterHarness(testKit, clock, startedFuture.get(PATIENCE.toSeconds(), TimeUnit.SECONDS));
    } catch (Exception failed) {
      testKit.shutdownTestKit();
      throw new IllegalStateException("the router did not start", failed);
    }
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + started.address().getPort() + path);
  }

  /** Posts a JSON body to the chat endpoint. */
  public Reply chat(String body) {
    return send(HttpRequest.newBuilder(uri("/v1/chat/completions"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  /** Sends {@link #chat()} without waiting for its answer. */
  public CompletableFuture<Reply> chatInBackground() {
    return CompletableFuture.supplyAsync(this::chat);
  }

  /** Waits (in real time, bounded) until a condition that another system makes true holds. */
  public void awaitUntil(String what, java.util.function.BooleanSupplier condition) {
    testKit.createTestProbe().awaitAssert(PATIENCE, () -> {
      if (!condition.getAsBoolean()) throw new AssertionError("still waiting until " + what);
      return null;
    });
  }

  /**
   * Posts a streamed request and reads the whole event stream (in real time, bounded): its status,
   * headers and SSE lines.
   */
  public Streamed stream(String body) {
    try {
      HttpResponse<java.util.stream.Stream<String>> response = http.send(
          HttpRequest.newBuilder(uri("/v1/chat/completions")).header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(PATIENCE).build(),
          HttpResponse.BodyHandlers.ofLines());
      return new Streamed(response.statusCode(), response.headers(), response.body().toList());
    } catch (IOException | InterruptedException failed) {
      throw new IllegalStateException("the router did not answer", failed);
    }
  }

  /** What a streaming caller saw: every line of the event stream, blank ones included. */
  public record Streamed(int status, java.net.http.HttpHeaders headers, List<String> lines) {
    public String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    /** The JSON of every {@code data:} event but {@code [DONE]}. */
    public List<JsonNode> events() {
      return lines.stream().filter(l -> l.startsWith("data: ") && !l.equals("data: [DONE]"))
          .map(l -> parse(l.substring(6))).toList();
    }

    public boolean done() {
      return lines.contains("data: [DONE]");
    }

    /** The streamed text, concatenated. */
    public String text() {
      StringBuilder text = new StringBuilder();
      for (JsonNode e : events()) text.append(e.path("choices").path(0).path("delta").path("content").asText(""));
      return text.toString();
    }
  }

  /** A minimal valid request for the {@code default} route. */
  public Reply chat() {
    return chat("{\"model\":\"default\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]}");
  }

  public Reply send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response = http.send(request.timeout(PATIENCE).build(), HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(), response, parse(response.body()));
    } catch (IOException | InterruptedException failed) {
      throw new IllegalStateException("the router did not answer", failed);
    }
  }

  /**
   * The breaker's state, asked of the breaker itself: its answer comes after every outcome that
   * was reported to it before, and after any journal write those outcomes caused.
   */
  public BreakerState circuit(String provider) {
    var probe = testKit.<BreakerState>createTestProbe();
    started.fleet().breaker(BreakerScope.ofKey(provider)).tell(new ProviderBreaker.GetState(probe.ref()));
    return probe.receiveMessage(PATIENCE);
  }

  public void assertCircuit(String provider, BreakerState.Circuit expected) {
    assertEquals(expected, circuit(provider).circuit(), "circuit of " + provider);
  }

  /** Moves the node's clock and its timers together, after making sure the breakers are idle. */
  public void timePasses(Duration d) {
    started.fleet().breakers().keySet().forEach(scope -> circuit(scope.key()));
    clock.advance(d);
    manualTime.timePasses(d);
    started.fleet().breakers().keySet().forEach(scope -> circuit(scope.key()));
  }

  /** Writes the interval the routing record is counting, and returns once it is in the journal. */
  /** The node's configuration, resolved. */
  public com.typesafe.config.Config config() {
    return testKit.system().settings().config();
  }

  public void flushRoutingRecord() {
    try {
      started.fleet().routingRecord().flush(testKit.system(), PATIENCE).toCompletableFuture()
          .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception failed) {
      throw new IllegalStateException("the routing record did not write", failed);
    }
  }

  @Override
  public void close() {
    // Pools first, so they close their connections instead of being torn down with the system;
    // bounded, since a pool waits for calls still in flight (a hung upstream never answers).
    try {
      Http.get(testKit.system()).shutdownAllConnectionPools().toCompletableFuture().get(2, TimeUnit.SECONDS);
    } catch (Exception stillBusy) {
      // torn down with the system below
    }
    testKit.shutdownTestKit();
  }

  private static JsonNode parse(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException notJson) {
      throw new AssertionError("the router answered with a body that is not JSON: " + body, notJson);
    }
  }

  /** What a caller saw. */
  public record Reply(int status, HttpResponse<String> raw, JsonNode body) {
    public String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    public JsonNode trace() {
      return body.path("detour");
    }
  }
}
