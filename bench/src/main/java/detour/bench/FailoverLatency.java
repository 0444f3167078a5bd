package detour.bench;

import akka.actor.typed.ActorSystem;
import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import detour.persistence.DetourConfig;
import detour.persistence.JournalSchema;
import detour.providers.client.ProviderSettings;
import detour.simulator.Behaviour;
import detour.simulator.ProviderSimulator;
import detour.simulator.SimulatedInstance;
import detour.router.Guardian;
import detour.bench.BenchCaller.Sample;
import detour.router.config.RouterSettings;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * Measures the latency a failover adds, for each failure type, with the shipped provider timeouts:
 * a real Detour node (the same {@link Guardian} as {@code java -jar detour.jar}) in front of the
 * provider simulator, both in this JVM and talking over loopback HTTP, with a route {@code primary
 * -> fallback}. For each failure of the primary it sends requests through Detour and, interleaved,
 * the same request straight to the fallback instance; the added latency of a request is its end to
 * end time through Detour minus the median of the fallback's own times in the same case.
 *
 * <p>Two circuit states are measured apart. <b>Closed</b>: the primary's breakers (its provider's
 * and its model's) are pinned closed through the admin API ({@code POST /admin/breakers/<p>/close}),
 * so every request really tries the primary and fails over, however many faults pile up; the
 * breakers keep their default settings, and a pinned breaker is read on the same path as a closed
 * one. <b>Open</b>: the breakers are reset (admin {@code reset}) and failing requests are sent until
 * a trace shows the primary skipped (the default rules tripping by themselves), then the primary is
 * skipped at once; for the timeouts, where tripping by itself would take five whole timeouts, the
 * model's circuit is forced open through the admin API instead.
 *
 * <p>Timeouts are the shipped defaults (attempt-timeout 60 s, first-token-timeout 20 s, deadline
 * 120 s). A hang and a stall before the first token take the whole timeout, so each is measured
 * once with the defaults, and a few times with a provider {@code primary-short} (attempt-timeout 2
 * s, first-token-timeout 1 s, the same simulator instance) and with a caller's deadline of 4 s (the
 * primary's share: 2 s), to show the added latency is the limit plus a small overhead.
 *
 * <p>A refused connection is a provider {@code refused} whose port is bound but not listening. Akka
 * HTTP's pool backs off reconnecting after it (pool-wide, 100 ms doubling up to 2 min), so its
 * requests are timed one by one in order until the default rules open the circuit, then a few with
 * the circuit held closed and a caller's deadline of 4 s. An unanswered SYN (provider {@code
 * unreachable}, see {@link Unanswered}) is timed once against the default connect-timeout of 5 s.
 *
 * <p>Arguments: {@code --out DIR} (where failover.md and failover.json go), {@code --fast N}
 * (requests per fast case, default 100), {@code --slow N} (per short-timeout case, default 3),
 * {@code --skip-defaults} (leave out the 80 s of default-timeout cases), {@code --command TEXT} and
 * {@code --sha TEXT} (recorded as given). Everything it starts runs in this JVM and stops by itself.
 */
public final class FailoverLatency {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  /** The primary's upstream model name, so its model breaker is {@code <provider>/big}. */
  private static final String BIG = "big";
  private static final int DIRECT_FOR_SLOW_CASES = 20;

  private final SimulatedInstance primary;
  private final SimulatedInstance fallback;
  private final String chatUrl;
  private final String adminUrl;
  private final String fallbackUrl;
  private final String token;
  private final BenchCaller caller = new BenchCaller(Duration.ofSeconds(150));
  private final int fast;
  private final int slow;
  private final ArrayNode cases = JSON.createArrayNode();
  private final List<Row> rows = new ArrayList<>();

  private FailoverLatency(ProviderSimulator simulator, int port, String token, int fast, int slow) {
    this.primary = simulator.instance("primary");
    this.fallback = simulator.instance("fallback");
    this.chatUrl = "http://127.0.0.1:" + port + "/v1/chat/completions";
    this.adminUrl = "http://127.0.0.1:" + port + "/admin/breakers/";
    this.fallbackUrl = fallback.baseUrl() + "/chat/completions";
    this.token = token;
    this.fast = fast;
    this.slow = slow;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = options(args);
    Path out = Path.of(options.getOrDefault("out", "bench/results/failover-manual"));
    int fast = Integer.parseInt(options.getOrDefault("fast", "100"));
    int slow = Integer.parseInt(options.getOrDefault("slow", "3"));
    boolean defaults = !options.containsKey("skip-defaults");
    Files.createDirectories(out);

    // The per-request INFO line is off, as in BreakerTiming; breaker trips still log (WARN).
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("detour.router.coordinator")).setLevel(Level.WARN);
    JournalSchema.keepH2OnLoopback();
    Path work = Files.createTempDirectory("detour-failover-latency");
    String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    String loadBefore = loadAverage();
    long began = System.nanoTime();
    int exit = 0;
    // A port bound but not listening: a connection to it is refused (RST), and nothing else can take it.
    try (Socket closedPort = new Socket();
        Socket closedWarmUpPort = new Socket();
        var unreachable = Unanswered.listen();
        var simulator = ProviderSimulator.start(Map.of("primary", 0, "fallback", 0))) {
      closedPort.bind(new InetSocketAddress("127.0.0.1", 0));
      closedWarmUpPort.bind(new InetSocketAddress("127.0.0.1", 0));
      String primaryUrl = simulator.instance("primary").baseUrl();
      Config config = DetourConfig.load(ConfigFactory.parseString(String.join("\n",
          "detour.http.port = 0",
          "detour.journal.h2-file = \"" + work.resolve("journal").toString().replace('\\', '/') + "\"",
          "detour.admin.token = \"" + token + "\"",
          // Shipped defaults for every timeout and breaker setting: only the addresses are given.
          "detour.providers.primary { base-url = \"" + primaryUrl + "\", api-key-required = off }",
          "detour.providers.fallback { base-url = \"" + simulator.instance("fallback").baseUrl()
              + "\", api-key-required = off }",
          "detour.providers.refused { base-url = \"http://127.0.0.1:" + closedPort.getLocalPort()
              + "/v1\", api-key-required = off }",
          // Only for the warm-up, so that the code of a refused connection is compiled before it is timed.
          "detour.providers.refused-warm-up { base-url = \"http://127.0.0.1:" + closedWarmUpPort.getLocalPort()
              + "/v1\", api-key-required = off }",
          // A port whose listener never accepts and whose queue is full: a SYN there goes unanswered.
          "detour.providers.unreachable { base-url = \"http://127.0.0.1:" + unreachable.port()
              + "/v1\", api-key-required = off }",
          // The one departure, for the short-timeout cases only: the same simulator instance.
          "detour.providers.primary-short { base-url = \"" + primaryUrl + "\", api-key-required = off, "
              + "attempt-timeout = 2s, first-token-timeout = 1s }",
          "detour.models.big { provider = primary, context-window = 128000 }",
          "detour.models.big-short { provider = primary-short, upstream-model = big, context-window = 128000 }",
          "detour.models.big-refused { provider = refused, upstream-model = big, context-window = 128000 }",
          "detour.models.big-warm-up { provider = refused-warm-up, upstream-model = big, context-window = 128000 }",
          "detour.models.big-unreachable { provider = unreachable, upstream-model = big, context-window = 128000 }",
          "detour.models.small { provider = fallback, context-window = 32000 }",
          "detour.routes.default { chain = [big, small] }",
          "detour.routes.short { chain = [big-short, small] }",
          "detour.routes.refused { chain = [big-refused, small] }",
          "detour.routes.refused-warm-up { chain = [big-warm-up, small] }",
          "detour.routes.unreachable { chain = [big-unreachable, small] }")));
      RouterSettings settings = RouterSettings.from(config);
      var started = new CompletableFuture<Guardian.Started>();
      var system = ActorSystem.create(Guardian.create(settings, InstantSource.system(), started),
          "failover-latency", config);
      try {
        var node = started.get(60, TimeUnit.SECONDS);
        var bench = new FailoverLatency(simulator, node.address().getPort(), token, fast, slow);
        ObjectNode meta = meta(options, settings, config, fast, slow, defaults, loadBefore);
        System.out.println(machineLine(meta));
        bench.run(defaults);
        meta.put("load_average_after", loadAverage());
        meta.put("wall_seconds", Math.round((System.nanoTime() - began) / 1e9));
        bench.write(out, meta);
      } finally {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    } catch (Exception failed) {
      failed.printStackTrace();
      exit = 1;
    } finally {
      deleteTree(work);
    }
    System.exit(exit);  // no lingering client or pool thread keeps the JVM
  }

  // ------------------------------------------------------------------------------------------
  // The cases

  private void run(boolean defaults) {
    warmUp();

    section("baseline: no failure");
    Row hop = measure("hop-whole", "none (primary healthy)", Circuit.NONE, false, "default", Behaviour.ok(),
        Map.of(), fast, s -> ok(s, "primary", 1));
    Row hopStream = measure("hop-stream", "none (primary healthy)", Circuit.NONE, true, "default", Behaviour.ok(),
        Map.of(), fast, s -> ok(s, "primary", 1));
    add(hop);
    add(hopStream);

    section("fast failures");
    // OpenAI's 503 is its "overloaded" answer, and Detour classes it so.
    fastCase("error-503", "fast error: 503", Behaviour.error(503), false, "overloaded");
    fastCase("error-503-stream", "fast error: 503", Behaviour.error(503), true, "overloaded");
    fastCase("rate-limit-429", "rate limit: 429", Behaviour.rateLimit(), false, "rate_limited");
    fastCase("reset", "TCP reset, no HTTP answer", Behaviour.reset(), false, "connection_reset");
    fastCase("malformed", "malformed body (200, not JSON)", Behaviour.malformed(), false, null);

    section("connection refused (port closed)");
    refused();

    section("connect timeout (SYN unanswered), the default 5 s");
    add(timeoutCase("connect-timeout-default", "connect timeout (SYN unanswered)", "unreachable",
        "defaults: connect-timeout 5 s", "unreachable", null, false, Map.of(), 5000, "connect_timeout", 1));

    section("stream cut after its first content (no failover)");
    streamDrop();

    section("timeouts, short settings");
    add(timeoutCase("hang-attempt-2s", "hang", "primary", "attempt-timeout = 2s (provider primary-short)", "short",
        Behaviour.hang(), false, Map.of(), 2000, "total_timeout", slow));
    add(timeoutCase("hang-deadline-4s", "hang", "primary", "defaults, caller's deadline 4 s "
        + "(x-detour-deadline-ms: 4000): share 2 s", "default", Behaviour.hang(), false, DEADLINE_4S, 2000,
        "total_timeout", slow));
    add(timeoutCase("stall-first-token-1s", "stall before the first token", "primary",
        "first-token-timeout = 1s (provider primary-short)", "short", Behaviour.stallFirstToken(), true, Map.of(),
        1000, "first_token_timeout", slow));
    openForced("hang-open", "hang", Behaviour.hang(), false);
    openForced("stall-first-token-open", "stall before the first token", Behaviour.stallFirstToken(), true);

    if (defaults) {
      section("timeouts, shipped defaults (one request each)");
      add(timeoutCase("stall-first-token-default", "stall before the first token", "primary",
          "defaults: first-token-timeout 20 s", "default", Behaviour.stallFirstToken(), true, Map.of(), 20_000,
          "first_token_timeout", 1));
      add(timeoutCase("hang-default", "hang", "primary",
          "defaults: attempt-timeout 60 s = its share of the 120 s deadline", "default", Behaviour.hang(), false,
          Map.of(), 60_000, "total_timeout", 1));
    }
    primary.behave(Behaviour.ok());
  }

  private static final Map<String, String> DEADLINE_4S = Map.of("x-detour-deadline-ms", "4000");

  /** A failure that fails over at once: closed circuit, then the default rules trip it and it is skipped. */
  private void fastCase(String id, String failure, Behaviour behaviour, boolean stream, String errorClass) {
    primary.behave(behaviour);
    pin("primary", "close");
    Predicate<Sample> failedOver = s -> ok(s, "fallback", 2) && s.attempt(0).path("result").asText().equals("failed")
        && (errorClass == null || s.attempt(0).path("error_class").asText().equals(errorClass));
    add(measure(id, failure, Circuit.CLOSED, stream, "default", behaviour, Map.of(), fast, failedOver));
    tripThenSkip(id, failure, "primary", "default", behaviour, stream, "failed requests");
  }

  /**
   * Back to the breakers' own rules (admin reset): requests until a trace shows the primary skipped,
   * then the skip is measured.
   */
  private List<Sample> tripThenSkip(String id, String failure, String provider, String route, Behaviour behaviour,
      boolean stream, String what) {
    pin(provider, "reset");
    List<Sample> tripping = new ArrayList<>();
    boolean opened = false;
    for (int i = 0; i < 40 && !opened; i++) {
      Sample s = send(route, stream, Map.of());
      opened = s.attempt(0).path("result").asText().equals("skipped");
      if (!opened) tripping.add(s);
    }
    Row open = measure(id + "-open", failure, Circuit.OPEN, stream, route, behaviour, Map.of(), fast, this::skipped);
    open.note = opened ? "opened by the default rules after " + tripping.size() + " " + what
        : "did not open within 40 requests";
    open.json.put("opened_after_requests", opened ? tripping.size() : -1);
    add(open);
    return tripping;
  }

  /**
   * A closed port. Akka HTTP's pool backs off reconnecting after a refused connection, for the whole
   * pool, doubling from 100 ms up to 2 min (base- and max-connection-backoff, which Detour leaves at
   * Akka's defaults), and a request waits out that backoff in the pool's queue. So a refused
   * connection is fast only the first time: the requests that follow, one after another, are timed
   * one by one as the default rules open the circuit; then, the circuit held closed, a few with a
   * caller's deadline of 4 s (a 2 s share), which is what every request would meet with the circuit
   * closed and the pool in its backoff (up to the 60 s share with the defaults, measured at the end).
   */
  private void refused() {
    primary.behave(Behaviour.ok());
    List<Sample> direct = new ArrayList<>();
    for (int i = 0; i < DIRECT_FOR_SLOW_CASES; i++) direct.add(straight(false));
    List<Sample> sequence = tripThenSkip("refused", "connection refused (port closed)", "refused", "refused", null,
        false, "refused connections");
    Row row = rowOf("refused-sequence", "connection refused (port closed)", Circuit.CLOSED, false, "refused", null,
        Map.of(), sequence, direct, s -> ok(s, "fallback", 2) && s.attempt(0).path("result").asText().equals("failed"),
        0);
    row.kind = RowKind.SEQUENCE;
    row.setting = "one request after another, the breakers' default rules";
    row.sequence = sequence;
    add(row);
    Row held = timeoutCase("refused-held-closed-4s", "connection refused, circuit held closed", "refused",
        "then one after another with the circuit held closed (admin close) and a caller's deadline of 4 s "
            + "(x-detour-deadline-ms: 4000), so a share of 2 s", "refused", null, false, DEADLINE_4S, 2000, null,
        slow);
    held.kind = RowKind.SEQUENCE;
    add(held);
  }

  /** A stream cut after two content chunks: committed, so no failover; times the error event. */
  private void streamDrop() {
    Behaviour drop = Behaviour.streamDrop(2);
    primary.behave(drop);
    pin("primary", "close");
    Predicate<Sample> cut = s -> s.status() == 200 && "primary".equals(s.provider()) && !s.done()
        && s.errorEvent() != null && s.attempts() == 1;
    Row row = measure("stream-drop", "stream cut after 2 content chunks", Circuit.CLOSED, true, "default", drop,
        Map.of(), fast, cut);
    row.kind = RowKind.DROP;
    add(row);
    tripThenSkip("stream-drop", "stream cut after 2 content chunks", "primary", "default", drop, true,
        "cut streams");
  }

  /**
   * A failure that takes a whole limit: a few requests, each compared with that limit. The
   * fallback's own time is measured first, 20 times. A null behaviour leaves the simulator alone.
   */
  private Row timeoutCase(String id, String failure, String provider, String setting, String route,
      Behaviour behaviour, boolean stream, Map<String, String> headers, long limitMillis, String errorClass, int n) {
    if (behaviour != null) primary.behave(behaviour);
    String breakers = route.equals("short") ? "primary-short" : provider;
    pin(breakers, "close");
    Predicate<Sample> failedOver = s -> ok(s, "fallback", 2) && s.attempt(0).path("result").asText().equals("failed")
        && (errorClass == null || s.attempt(0).path("error_class").asText().equals(errorClass));
    System.out.printf("  %s: %d request(s) of up to %.0f s each%n", id, n, limitMillis / 1000.0);
    List<Sample> direct = new ArrayList<>();
    for (int i = 0; i < DIRECT_FOR_SLOW_CASES; i++) direct.add(straight(stream));
    List<Sample> routed = new ArrayList<>();
    for (int i = 0; i < n; i++) routed.add(send(route, stream, headers));
    Row row = rowOf(id, failure, Circuit.CLOSED, stream, route, behaviour, headers, routed, direct, failedOver, -1);
    row.sequence = routed;
    row.kind = RowKind.TIMEOUT;
    row.setting = setting;
    row.limitMillis = limitMillis;
    row.json.put("limit_ms", limitMillis);
    row.json.put("setting", setting);
    return row;
  }

  /** The primary's model circuit forced open through the admin API: skipped at once. */
  private void openForced(String id, String failure, Behaviour behaviour, boolean stream) {
    primary.behave(behaviour);
    pin("primary", "reset");
    admin("primary", "open", true, ", \"duration_seconds\": 600");
    Row open = measure(id, failure, Circuit.OPEN, stream, "default", behaviour, Map.of(), fast, this::skipped);
    open.note = "forced open through the admin API (by itself: after five whole timeouts)";
    add(open);
  }

  private void warmUp() {
    System.out.println("warm-up: 500 requests through Detour and straight to the fallback, 100 failovers, "
        + "3 refused connections elsewhere");
    primary.behave(Behaviour.ok());
    for (int i = 0; i < 125; i++) {
      send("default", false, Map.of());
      caller.whole(fallbackUrl, "small", Map.of());
      send("default", true, Map.of());
      caller.stream(fallbackUrl, "small", Map.of());
    }
    pin("primary", "close");
    primary.behave(Behaviour.error(503));
    for (int i = 0; i < 50; i++) {
      send("default", false, Map.of());
      send("default", true, Map.of());
    }
    primary.behave(Behaviour.ok());
    pin("primary", "reset");
    for (int i = 0; i < 3; i++) send("refused-warm-up", false, Map.of());
  }

  // ------------------------------------------------------------------------------------------
  // Measuring

  enum Circuit { NONE, CLOSED, OPEN }

  enum RowKind { LATENCY, TIMEOUT, DROP, SEQUENCE }

  /** One measured case, as it goes into the tables and the JSON. */
  private static final class Row {
    String id;
    String failure;
    Circuit circuit;
    boolean stream;
    RowKind kind = RowKind.LATENCY;
    String setting = "";
    long limitMillis;
    String note = "";
    int expected;
    int n;
    long primaryCalls;
    Percentiles endToEnd;
    Percentiles direct;
    Percentiles added;
    Percentiles errorEvent;
    Percentiles primaryAttempt;
    String primaryDetail = "";
    List<Sample> sequence = List.of();
    ObjectNode json;
  }

  /** A fast case gives up after a request this slow rather than run for minutes. */
  private static final double FAST_CASE_PATIENCE_MS = 10_000;

  /**
   * Sends {@code n} requests through Detour, each after the same request straight to the fallback.
   * Stops early if one request takes longer than {@link #FAST_CASE_PATIENCE_MS}.
   */
  private Row measure(String id, String failure, Circuit circuit, boolean stream, String route, Behaviour behaviour,
      Map<String, String> headers, int n, Predicate<Sample> expected) {
    List<Sample> routed = new ArrayList<>();
    List<Sample> direct = new ArrayList<>();
    // A few unrecorded requests, so that the case's first connections and code paths are warm.
    for (int i = 0; i < 3; i++) send(route, stream, headers);
    long primaryBefore = primary.requests();
    String stopped = "";
    for (int i = 0; i < n; i++) {
      direct.add(straight(stream));
      Sample s = send(route, stream, headers);
      routed.add(s);
      if (s.millis() > FAST_CASE_PATIENCE_MS) {
        stopped = "stopped after " + (i + 1) + " requests: one took " + ms(s.millis()) + " ms";
        break;
      }
    }
    Row row = rowOf(id, failure, circuit, stream, route, behaviour, headers, routed, direct, expected,
        route.startsWith("refused") ? -1 : primary.requests() - primaryBefore);
    if (!stopped.isEmpty()) {
      row.note = stopped;
      row.json.put("stopped", stopped);
    }
    return row;
  }

  /** The row of a case from its samples (through Detour) and the fallback's own times. */
  private Row rowOf(String id, String failure, Circuit circuit, boolean stream, String route, Behaviour behaviour,
      Map<String, String> headers, List<Sample> routed, List<Sample> direct, Predicate<Sample> expected,
      long primaryCalls) {
    Row row = new Row();
    row.id = id;
    row.failure = failure;
    row.circuit = circuit;
    row.stream = stream;
    row.n = routed.size();
    row.primaryCalls = primaryCalls;
    row.expected = (int) routed.stream().filter(expected).count();
    row.endToEnd = new Percentiles(routed.stream().map(Sample::millis).toList());
    row.direct = new Percentiles(direct.stream().map(Sample::millis).toList());
    row.added = row.endToEnd.minus(row.direct.median());
    row.errorEvent = new Percentiles(routed.stream().filter(s -> s.errorEventMillis() >= 0)
        .map(Sample::errorEventMillis).toList());
    row.primaryAttempt = new Percentiles(routed.stream().filter(s -> s.attempts() > 1 || s.errorEvent() != null)
        .map(s -> s.attempt(0).path("latency_ms").asDouble(0)).toList());
    routed.stream().map(s -> s.attempt(0)).filter(a -> a.has("detail")).findFirst()
        .ifPresent(a -> row.primaryDetail = a.path("error_class").asText(a.path("result").asText()) + ": "
            + a.path("detail").asText());

    ObjectNode json = JSON.createObjectNode();
    json.put("id", id);
    json.put("failure", failure);
    json.put("primary_circuit", circuit.name().toLowerCase(Locale.ROOT));
    json.put("request", stream ? "stream" : "whole");
    json.put("route", route);
    if (behaviour != null) json.set("primary_behaviour", behaviour.toJsonNode());
    ObjectNode sent = json.putObject("headers");
    headers.forEach(sent::put);
    json.put("n", row.n);
    json.put("as_expected", row.expected);
    if (primaryCalls >= 0) json.put("primary_calls", primaryCalls);
    json.put("fallback_direct_median_ms", BenchCaller.round(row.direct.median()));
    ArrayNode directMs = json.putArray("fallback_direct_ms");
    direct.forEach(s -> directMs.add(BenchCaller.round(s.millis())));
    ArrayNode samples = json.putArray("samples");
    routed.forEach(s -> samples.add(s.toJson().put("added_ms", BenchCaller.round(s.millis() - row.direct.median()))));
    row.json = json;

    System.out.printf("  %-27s %-6s %-6s n=%-3d end to end p50 %s p99 %s | fallback alone p50 %s | added p50 %s "
        + "p99 %s | as expected %d/%d%n", id, circuit.name().toLowerCase(Locale.ROOT),
        stream ? "stream" : "whole", row.n, ms(row.endToEnd.median()), ms(row.endToEnd.at(0.99)),
        ms(row.direct.median()), ms(row.added.median()), ms(row.added.at(0.99)), row.expected, row.n);
    routed.stream().filter(expected.negate()).findFirst().ifPresent(s ->
        System.out.println("    first unexpected answer: " + s.toJson()));
    return row;
  }

  /** Keeps a row for the tables and the JSON (rows may come from two threads at the end). */
  private synchronized void add(Row row) {
    rows.add(row);
    cases.add(row.json);
  }

  private Sample send(String route, boolean stream, Map<String, String> headers) {
    return stream ? caller.stream(chatUrl, route, headers) : caller.whole(chatUrl, route, headers);
  }

  private Sample straight(boolean stream) {
    return stream ? caller.stream(fallbackUrl, "small", Map.of()) : caller.whole(fallbackUrl, "small", Map.of());
  }

  private static boolean ok(Sample s, String provider, int attempts) {
    return s.status() == 200 && provider.equals(s.provider()) && s.attempts() == attempts && s.failure() == null
        && (!s.streamed() || s.done()) && s.attempt(attempts - 1).path("result").asText().equals("answered");
  }

  private boolean skipped(Sample s) {
    return ok(s, "fallback", 2) && s.attempt(0).path("result").asText().equals("skipped");
  }

  /** Overrides both breakers a call to the provider passes through: its own and its model's. */
  private void pin(String provider, String action) {
    admin(provider, action, false, "");
    admin(provider, action, true, "");
  }

  private void admin(String provider, String action, boolean model, String extra) {
    String body = "{\"operator\": \"failover-bench\", \"reason\": \"measuring failover latency\""
        + (model ? ", \"model\": \"" + BIG + "\"" : "") + extra + "}";
    var answer = caller.post(adminUrl + provider + "/" + action, token, body);
    if (answer.getKey() != 200) {
      throw new IllegalStateException("admin " + action + " on " + provider + (model ? "/" + BIG : "") + ": "
          + answer.getKey() + " " + answer.getValue());
    }
  }

  private static void section(String title) {
    System.out.println(title);
  }

  // ------------------------------------------------------------------------------------------
  // Reporting

  private void write(Path out, ObjectNode meta) throws IOException {
    String markdown = markdown(meta);
    System.out.println();
    System.out.println(markdown);
    Files.writeString(out.resolve("failover.md"), markdown, StandardCharsets.UTF_8);
    ObjectNode root = JSON.createObjectNode();
    root.set("meta", meta);
    root.set("cases", cases);
    Files.writeString(out.resolve("failover.json"), JSON.writeValueAsString(root), StandardCharsets.UTF_8);
    System.out.println("written: " + out.resolve("failover.md") + " and " + out.resolve("failover.json"));
  }

  private String markdown(ObjectNode meta) {
    StringBuilder md = new StringBuilder();
    md.append("# What a failover adds\n\n");
    md.append("- command: `").append(meta.path("command").asText()).append("`\n");
    md.append("- commit: ").append(meta.path("commit").asText()).append(", run ").append(meta.path("date").asText())
        .append(", ").append(meta.path("wall_seconds").asLong()).append(" s\n");
    md.append("- machine: ").append(meta.path("cpu_model").asText()).append(", ").append(meta.path("nproc").asInt())
        .append(" cores (shared), load average ").append(meta.path("load_average_before").asText())
        .append(" before, ").append(meta.path("load_average_after").asText()).append(" after\n");
    md.append("- JVM: ").append(meta.path("java").asText()).append(", flags `")
        .append(meta.path("jvm_flags").asText()).append("`\n");
    md.append("- Detour and the simulator in one JVM on loopback; provider timeouts and breakers at their defaults (")
        .append(meta.path("defaults").asText()).append(")\n");
    md.append("- added = end to end through Detour minus the median of the same request sent straight to the "
        + "fallback instance, interleaved in the same case; \"minus the hop's\" takes away what Detour adds with no "
        + "failure (first rows). Percentiles are nearest-rank: p99 of 100 is the second largest.\n\n");

    Row hopWhole = rows.stream().filter(r -> r.id.equals("hop-whole")).findFirst().orElseThrow();
    Row hopStream = rows.stream().filter(r -> r.id.equals("hop-stream")).findFirst().orElseThrow();
    md.append("## Failover with the primary's circuit closed (pinned closed: every request tries the primary)\n\n");
    md.append("| failure | request | N | end to end p50 / p99 ms | fallback alone p50 ms | added p50 / p99 ms "
        + "| added p50 minus the hop's | primary's attempt, p50 ms (trace) | failed over |\n"
        + "|---|---|---|---|---|---|---|---|---|\n");
    for (Row r : List.of(hopWhole, hopStream)) {
      md.append(String.format("| %s | %s | %d | %s / %s | %s | %s / %s | — | — | %d/%d answered by the primary |%n",
          "no failure: Detour's own hop", r.stream ? "stream" : "whole", r.n, ms(r.endToEnd.median()),
          ms(r.endToEnd.at(0.99)), ms(r.direct.median()), ms(r.added.median()), ms(r.added.at(0.99)), r.expected,
          r.n));
    }
    for (Row r : rows) {
      if (r.kind != RowKind.LATENCY || r.circuit != Circuit.CLOSED) continue;
      Row hop = r.stream ? hopStream : hopWhole;
      md.append(String.format("| %s | %s | %d | %s / %s | %s | %s / %s | %s | %s (%s) | %d/%d%s |%n", r.failure,
          r.stream ? "stream" : "whole", r.n, ms(r.endToEnd.median()), ms(r.endToEnd.at(0.99)),
          ms(r.direct.median()), ms(r.added.median()), ms(r.added.at(0.99)),
          ms(r.added.median() - hop.added.median()), ms(r.primaryAttempt.median()), errorClass(r), r.expected, r.n,
          r.note.isEmpty() ? "" : "; " + r.note));
    }

    boolean refusedHeading = false;
    for (Row r : rows) {
      if (r.kind != RowKind.SEQUENCE) continue;
      if (!refusedHeading) {
        md.append("\n## Connection refused: Akka HTTP's reconnect backoff\n\n");
        md.append("The fallback alone: median ").append(ms(r.direct.median())).append(" ms. ");
        refusedHeading = true;
      } else {
        md.append('\n');
      }
      md.append(Character.toUpperCase(r.setting.charAt(0))).append(r.setting.substring(1)).append(":\n\n");
      md.append("| request | end to end ms | added ms | primary's attempt ms (trace) | primary's error |\n"
          + "|---|---|---|---|---|\n");
      int i = 1;
      for (Sample s : r.sequence) {
        md.append(String.format("| %d | %s | %s | %s | %s |%n", i++, ms(s.millis()), ms(s.millis() - r.direct.median()),
            ms(s.attempt(0).path("latency_ms").asDouble(Double.NaN)), s.attempt(0).path("error_class").asText("—")));
      }
    }

    md.append("\n## Timeouts: a hang, a stall before the first token, an unanswered SYN take their whole limit\n\n");
    md.append("| failure | request | setting | limit | N | end to end min / median / max ms | added min / median / "
        + "max ms | added − limit (overhead) min / median / max ms | failed over |\n|---|---|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      if (r.kind != RowKind.TIMEOUT) continue;
      Percentiles over = r.added.minus(r.limitMillis);
      md.append(String.format("| %s | %s | %s | %s | %d | %s / %s / %s | %s / %s / %s | %s / %s / %s | %d/%d (%s) |%n",
          r.failure, r.stream ? "stream" : "whole", r.setting, seconds(r.limitMillis), r.n, ms(r.endToEnd.min()),
          ms(r.endToEnd.median()), ms(r.endToEnd.max()), ms(r.added.min()), ms(r.added.median()), ms(r.added.max()),
          ms(over.min()), ms(over.median()), ms(over.max()), r.expected, r.n, errorClass(r)));
    }

    md.append("\n## The primary's circuit open: the primary is skipped\n\n");
    md.append("| failure | request | how it opened | N | end to end p50 / p99 ms | fallback alone p50 ms | added p50 / p99 ms "
        + "| skipped |\n|---|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      if (r.circuit != Circuit.OPEN) continue;
      md.append(String.format("| %s | %s | %s | %d | %s / %s | %s | %s / %s | %d/%d |%n", r.failure,
          r.stream ? "stream" : "whole", r.note, r.n, ms(r.endToEnd.median()), ms(r.endToEnd.at(0.99)),
          ms(r.direct.median()), ms(r.added.median()), ms(r.added.at(0.99)), r.expected, r.n));
    }

    md.append("\n## A stream cut after its first content: no failover, an error event\n\n");
    md.append("| failure | N | time to the error event p50 / p99 ms | end of the stream p50 / p99 ms | a healthy stream "
        + "through Detour, to [DONE], p50 / p99 ms | ended with an error event, no [DONE], from the primary |\n"
        + "|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      if (r.kind != RowKind.DROP) continue;
      md.append(String.format("| %s | %d | %s / %s | %s / %s | %s / %s | %d/%d |%n", r.failure, r.n,
          ms(r.errorEvent.median()), ms(r.errorEvent.at(0.99)), ms(r.endToEnd.median()), ms(r.endToEnd.at(0.99)),
          ms(hopStream.endToEnd.median()), ms(hopStream.endToEnd.at(0.99)), r.expected, r.n));
    }

    md.append("\nWhat the primary's attempt said (first of each case):\n\n");
    for (Row r : rows) {
      if (!r.primaryDetail.isEmpty()) md.append("- ").append(r.id).append(": ").append(r.primaryDetail).append('\n');
    }
    return md.toString();
  }

  private static String errorClass(Row r) {
    int colon = r.primaryDetail.indexOf(':');
    return colon < 0 ? "?" : r.primaryDetail.substring(0, colon);
  }

  private static String ms(double ms) {
    if (Double.isNaN(ms)) return "—";
    if (Math.abs(ms) >= 1000) return String.format(Locale.ROOT, "%,.0f", ms);
    if (Math.abs(ms) >= 100) return String.format(Locale.ROOT, "%.0f", ms);
    if (Math.abs(ms) >= 10) return String.format(Locale.ROOT, "%.1f", ms);
    return String.format(Locale.ROOT, "%.2f", ms);
  }

  private static String seconds(long millis) {
    return millis % 1000 == 0 ? (millis / 1000) + " s" : (millis / 1000.0) + " s";
  }

  // ------------------------------------------------------------------------------------------
  // Where it ran

  private static ObjectNode meta(Map<String, String> options, RouterSettings settings, Config config, int fast,
      int slow, boolean defaults, String loadBefore) {
    ObjectNode meta = JSON.createObjectNode();
    meta.put("date", Instant.now().toString());
    meta.put("commit", options.getOrDefault("sha", "unknown"));
    meta.put("command", options.getOrDefault("command", "java -cp detour.jar detour.bench.FailoverLatency"));
    meta.put("cpu_model", cpuModel());
    meta.put("nproc", Runtime.getRuntime().availableProcessors());
    meta.put("load_average_before", loadBefore);
    meta.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    meta.put("jvm_flags", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
    meta.put("gc", ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
        .collect(Collectors.joining(", ")));
    meta.put("requests_per_fast_case", fast);
    meta.put("requests_per_short_timeout_case", slow);
    meta.put("default_timeout_cases", defaults);
    ProviderSettings p = settings.providers().get("primary");
    meta.put("defaults", "connect-timeout " + readable(p.connectTimeout()) + ", attempt-timeout "
        + readable(p.attemptTimeout()) + ", first-token-timeout " + readable(p.firstTokenTimeout())
        + ", inter-token-timeout " + readable(p.interTokenTimeout()) + ", route deadline "
        + readable(config.getDuration("detour.route-defaults.deadline")) + ", breaker consecutive-faults "
        + config.getInt("detour.breaker.consecutive-faults") + ", consecutive-rate-limits "
        + config.getInt("detour.breaker.consecutive-rate-limits"));
    return meta;
  }

  private static String machineLine(ObjectNode meta) {
    return "machine: " + meta.path("cpu_model").asText() + ", " + meta.path("nproc").asInt() + " cores, load "
        + meta.path("load_average_before").asText() + "; " + meta.path("java").asText() + " "
        + meta.path("jvm_flags").asText() + "\nsettings: " + meta.path("defaults").asText();
  }

  private static String readable(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
    } catch (IOException | RuntimeException unreadable) {
      return "unknown";
    }
  }

  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException | RuntimeException unreadable) {
      return "unknown";
    }
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--")) throw new IllegalArgumentException("unexpected argument: " + args[i]);
      String key = args[i].substring(2);
      if (key.equals("skip-defaults")) {
        options.put(key, "true");
      } else {
        if (i + 1 >= args.length) throw new IllegalArgumentException("--" + key + " needs a value");
        options.put(key, args[++i]);
      }
    }
    return options;
  }

  private static void deleteTree(Path root) {
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory: the system cleans it eventually
    }
  }
}
