package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import detour.persistence.DetourConfig;
import detour.persistence.audit.Audit;
import detour.persistence.audit.AuditFilter;
import detour.persistence.audit.AuditReport;
import detour.providers.breaker.BreakerState.Circuit;
import detour.simulator.testing.SimulatorExtension;
import detour.providers.testing.TestClock;
import detour.router.testing.HostileUpstream;
import detour.router.testing.RawHttp;
import detour.router.testing.RouterHarness;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standing corpus of hostile input: every case of {@code hostile-corpus.json} is sent to one
 * router, and each must get the answer the file states, in OpenAI's error format, without reaching
 * a provider where it says so. A canary key is planted in the router's configuration (the scripted
 * provider {@code evil}'s API key and an extra header) and echoed back by that provider in error
 * messages, codes, types, headers and stream events; it must then be in no response, no log line,
 * no journal row and no output of the audit.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileInputCorpusIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String CANARY = "sk-canary-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
  static final String ADMIN_TOKEN = "admin-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
  static final Duration PATIENCE = Duration.ofSeconds(20);

  @RegisterExtension static final SimulatorExtension upstreams = new SimulatorExtension("a");
  static final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  static HostileUpstream evil;
  static RouterHarness router;
  static Path journal;
  static final TestClock clock = TestClock.at("2026-01-05T09:00:00Z");
  static List<String> leaks = new ArrayList<>();

  @BeforeAll
  static void start(@TempDir Path dir) {
    // Before the router starts, so that its start-up lines are heard too.
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    logs.setContext(context);
    logs.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(logs);

    evil = HostileUpstream.start();
    journal = dir.resolve("journal");
    router = RouterHarness.start(upstreams.simulator(), List.of("a"), journal, clock,
        "detour.admin.token = \"" + ADMIN_TOKEN + "\"\n"
            + "detour.http.header-read-timeout = 1s\n"
            + "detour.providers.evil { base-url = \"" + evil.baseUrl() + "\", api-key = \"" + CANARY + "\",\n"
            + "  headers { x-extra-key = \"" + CANARY + "\" },\n"
            // Kept closed by anything but three faults in a row, so that each case reaches it.
            + "  breaker { consecutive-faults = 3, consecutive-rate-limits = 1000, window-size = 100,"
            + " minimum-calls = 100, cooldown-jitter = 0 } }\n"
            + "detour.models.model-evil { provider = evil, context-window = 8192 }\n"
            + "detour.routes.evil-first { chain = [model-evil, model-a] }\n"
            + "detour.routes.evil-only { chain = [model-evil] }\n"
            // The admin cases' target: no route uses it, so an order that wrongly succeeds moves no traffic.
            + "detour.providers.spare { base-url = \"http://127.0.0.1:9/v1\", api-key-required = off }\n"
            + "detour.models.model-spare { provider = spare, context-window = 8192 }\n");
  }

  @AfterAll
  static void stop() {
    if (router != null) router.close();
    if (evil != null) evil.close();
    ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(logs);
  }

  @TestFactory
  @Order(1)
  Stream<DynamicTest> everyCaseGetsTheAnswerItsEntrySays() throws IOException {
    JsonNode corpus;
    try (InputStream in = HostileInputCorpusIT.class.getResourceAsStream("/hostile-corpus.json")) {
      corpus = JSON.readTree(in);
    }
    return StreamSupport.stream(corpus.path("cases").spliterator(), false)
        .map(entry -> DynamicTest.dynamicTest(entry.path("name").asText(), () -> runAndNote(entry)));
  }

  /** Each case's verdict, printed at the end: the test report names dynamic tests only by number. */
  static final List<String> verdicts = new ArrayList<>();

  private static void runAndNote(JsonNode entry) throws Exception {
    try {
      run(entry);
      verdicts.add("PASS " + entry.path("name").asText());
    } catch (AssertionError | Exception failed) {
      verdicts.add("FAIL " + entry.path("name").asText() + " -- " + failed.getMessage().lines().findFirst().orElse(""));
      throw failed;
    }
  }

  @Test
  @Order(2)
  void theCanaryIsInNoLogLineJournalRowOrAuditOutput() throws Exception {
    System.out.println("hostile corpus: " + verdicts.stream().filter(v -> v.startsWith("PASS")).count() + " of "
        + verdicts.size() + " cases passed\n" + String.join("\n", verdicts));
    assertEquals("Bearer " + CANARY, evil.lastAuthorization(), "the planted key was really sent upstream");
    router.flushRoutingRecord();

    List<String> found = new ArrayList<>(leaks);
    for (ILoggingEvent event : List.copyOf(logs.list)) {
      String line = event.getLoggerName() + " " + event.getFormattedMessage() + " " + event.getMDCPropertyMap()
          + (event.getThrowableProxy() == null ? "" : " " + ThrowableProxyUtil.asString(event.getThrowableProxy()));
      if (line.contains(CANARY)) found.add("log line: " + line);
    }
    int rows = scanJournal(found);
    assertTrue(rows > 0, "the journal holds rows to scan");
    try (Stream<Path> files = Files.list(journal.getParent())) {
      for (Path file : files.filter(f -> f.toString().endsWith(".trace.db")).toList()) {
        if (Files.readString(file, StandardCharsets.ISO_8859_1).contains(CANARY)) found.add("H2 trace file " + file);
      }
    }
    AuditReport audit = audit();
    assertTrue(audit.text().contains("evil/model-evil"), "the audit saw the tripped breaker: " + audit.text());
    if (audit.text().contains(CANARY)) found.add("audit text");
    if (audit.json().contains(CANARY)) found.add("audit json");
    assertTrue(found.isEmpty(), "the canary leaked:\n" + String.join("\n", found));
  }

  // ---- one case -------------------------------------------------------------------------------

  private static void run(JsonNode entry) throws Exception {
    JsonNode request = entry.path("request");
    JsonNode expect = entry.path("expect");
    if (entry.has("upstream")) {
      resetEvilsBreakers();
      evil.answerWith(answer(entry.path("upstream")));
    }
    long providerCalls = upstreams.instance("a").requests() + evil.calls();
    int evilCalls = evil.calls();

    for (int i = 0; i < Math.max(1, entry.path("repeat").asInt(1)); i++) {
      RawHttp.Response response = request.has("trickle") ? trickle(request.path("trickle"), expect)
          : RawHttp.exchange(port(), bytes(request), PATIENCE);
      if (response.rawText().contains(CANARY)) leaks.add("response to '" + entry.path("name").asText() + "': " + where(response));
      assertFalse(response.rawText().contains(CANARY), "the canary is in the response: " + response.rawText());
      check(expect, response);
    }

    if (!expect.path("reached_provider").asBoolean(true)) {
      assertEquals(providerCalls, upstreams.instance("a").requests() + evil.calls(), "no call reached a provider");
    }
    if (expect.path("upstream_called").asBoolean(false)) {
      assertTrue(evil.calls() > evilCalls, "the scripted provider was called, so the case proves something");
    }
    if (entry.has("trips")) {
      assertEquals(Circuit.OPEN, router.circuit(entry.path("trips").asText()).circuit(), "tripped");
    }
  }

  /** Where in a response the canary is: a header, or which field of the body. */
  private static String where(RawHttp.Response response) {
    List<String> places = new ArrayList<>();
    response.headers().stream().filter(h -> h.getValue().contains(CANARY)).forEach(h -> places.add("header " + h.getKey()));
    try {
      JsonNode error = JSON.readTree(response.body()).path("error");
      error.fieldNames().forEachRemaining(f -> {
        if (error.path(f).asText().contains(CANARY)) places.add("error." + f);
      });
    } catch (IOException notJson) {
      // the raw body is named below
    }
    if (places.isEmpty()) places.add("body");
    return String.join(", ", places);
  }

  private static void check(JsonNode expect, RawHttp.Response response) throws IOException {
    String seen = response.status() + " " + response.rawText().substring(0, Math.min(600, response.rawText().length()));
    if (expect.has("closed_within_ms")) {
      assertTrue(response.closed(), "the server still held the connection after " + response.millis() + " ms");
      assertTrue(response.millis() <= expect.path("closed_within_ms").asLong(),
          "closed only after " + response.millis() + " ms");
    }
    if (expect.has("status")) {
      assertEquals(expect.path("status").asInt(), response.status(), seen);
    } else {
      List<Integer> allowed = new ArrayList<>();
      expect.path("status_in").forEach(s -> allowed.add(s.asInt()));
      assertTrue(allowed.contains(response.status()), "status one of " + allowed + ": " + seen);
    }
    JsonNode errorExpected = expect.path("error");
    boolean isError = errorExpected.isBoolean() ? errorExpected.asBoolean() : response.status() >= 400;
    if (errorExpected.isTextual() && errorExpected.asText().equals("any")) isError = false;
    if (response.status() == 0 || !isError) return;

    String contentType = String.valueOf(response.header("Content-Type"));
    assertTrue(contentType.startsWith("application/json"), "a JSON error, not " + contentType + ": " + seen);
    JsonNode error = JSON.readTree(response.body()).path("error");
    assertTrue(error.isObject(), "OpenAI's error object: " + seen);
    assertTrue(error.path("message").isTextual() && !error.path("message").asText().isBlank(), "a message: " + seen);
    assertTrue(error.has("type") && error.has("param") && error.has("code"), "every OpenAI error field: " + seen);
    assertTrue(error.path("code").isTextual() && !error.path("code").asText().isBlank(), "a non-empty code: " + seen);
    if (expect.has("code") && !expect.path("code").asText().equals("*")) {
      assertEquals(expect.path("code").asText(), error.path("code").asText(), seen);
    }
    if (expect.has("type")) assertEquals(expect.path("type").asText(), error.path("type").asText(), seen);
    if (expect.has("param")) assertEquals(expect.path("param").asText(), error.path("param").asText(), seen);
    if (expect.has("message_contains")) {
      assertTrue(error.path("message").asText().contains(expect.path("message_contains").asText()), seen);
    }
  }

  /** Trickles a header's bytes; moves the node's manual time after each, since its timeout runs on it. */
  private static RawHttp.Response trickle(JsonNode spec, JsonNode expect) {
    Duration advance = Duration.ofMillis(spec.path("advance_ms").asLong());
    return RawHttp.trickle(port(), spec.path("head").asText().getBytes(StandardCharsets.ISO_8859_1),
        (byte) spec.path("byte").asText().charAt(0), Duration.ofMillis(spec.path("every_ms").asLong()),
        Duration.ofMillis(expect.path("closed_within_ms").asLong() + 1_000), () -> router.timePasses(advance));
  }

  // ---- building what is sent ----------------------------------------------------------------

  /** The request's exact bytes: raw ones as given, one byte per character; others framed here. */
  private static byte[] bytes(JsonNode request) throws IOException {
    if (request.has("raw")) return parts(request.path("raw"), StandardCharsets.ISO_8859_1);
    byte[] body = request.has("body") ? body(request.path("body")) : null;
    StringBuilder head = new StringBuilder(request.path("method").asText() + " " + request.path("path").asText()
        + " HTTP/1.1\r\n");
    boolean host = false;
    boolean framed = false;
    for (JsonNode header : request.path("headers")) {
      String name = header.get(0).asText();
      host |= name.equalsIgnoreCase("Host");
      framed |= name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Transfer-Encoding");
      head.append(name).append(": ").append(placeholders(header.get(1).asText())).append("\r\n");
    }
    if (!host) head.append("Host: 127.0.0.1:").append(port()).append("\r\n");
    if (body != null && !framed && !request.path("no_content_length").asBoolean()) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    head.append("Connection: close\r\n\r\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    if (body != null) out.write(body);
    return out.toByteArray();
  }

  private static byte[] body(JsonNode spec) throws IOException {
    if (spec.has("json")) return placeholders(JSON.writeValueAsString(spec.path("json"))).getBytes(StandardCharsets.UTF_8);
    return parts(spec.path("parts"), StandardCharsets.UTF_8);
  }

  private static byte[] parts(JsonNode parts, java.nio.charset.Charset text) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (JsonNode part : parts) {
      if (part.has("text")) {
        out.write(placeholders(part.path("text").asText()).getBytes(text));
      } else if (part.has("base64")) {
        out.write(Base64.getDecoder().decode(part.path("base64").asText()));
      } else if (part.has("parts")) {
        byte[] unit = parts(part.path("parts"), text);
        for (int i = part.path("times").asInt(); i > 0; i--) out.write(unit);
      } else {
        byte[] unit = part.path("repeat").asText().getBytes(text);
        for (int i = part.path("times").asInt(); i > 0; i--) out.write(unit);
      }
    }
    return out.toByteArray();
  }

  private static HostileUpstream.Answer answer(JsonNode spec) throws IOException {
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    spec.path("headers").forEach(h -> headers.add(Map.entry(h.get(0).asText(), placeholders(h.get(1).asText()))));
    return new HostileUpstream.Answer(spec.path("status").asInt(), headers,
        spec.has("body") ? body(spec.path("body")) : new byte[0]);
  }

  private static String placeholders(String text) {
    return text.replace("{canary}", CANARY)
        .replace("{admin_token_prefix}", ADMIN_TOKEN.substring(0, ADMIN_TOKEN.length() - 4))
        .replace("{admin_token}", ADMIN_TOKEN);
  }

  private static int port() {
    return router.uri("/").getPort();
  }

  /** Each canary case starts with the scripted provider's circuits closed and nothing counted. */
  private static void resetEvilsBreakers() throws IOException {
    for (String body : List.of("{\"operator\":\"corpus\",\"reason\":\"next case\"}",
        "{\"operator\":\"corpus\",\"reason\":\"next case\",\"model\":\"model-evil\"}")) {
      byte[] request = ("POST /admin/breakers/evil/reset HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Authorization: Bearer " + ADMIN_TOKEN + "\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n"
          + body).getBytes(StandardCharsets.ISO_8859_1);
      assertEquals(200, RawHttp.exchange(port(), request, PATIENCE).status(), "reset evil's breakers");
    }
  }

  // ---- where the canary must not be --------------------------------------------------------------

  /** Every column of every row of every table of the journal's database, read beside the running node. */
  private static int scanJournal(List<String> found) throws Exception {
    String url = "jdbc:h2:file:" + journal.toAbsolutePath().toString().replace('\\', '/') + ";AUTO_SERVER=TRUE";
    int rows = 0;
    try (Connection db = DriverManager.getConnection(url, "detour", "")) {
      List<String> tables = new ArrayList<>();
      try (ResultSet t = db.createStatement().executeQuery(
          "SELECT TABLE_SCHEMA, TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA <> 'INFORMATION_SCHEMA'")) {
        while (t.next()) tables.add("\"" + t.getString(1) + "\".\"" + t.getString(2) + "\"");
      }
      for (String table : tables) {
        try (ResultSet r = db.createStatement().executeQuery("SELECT * FROM " + table)) {
          int columns = r.getMetaData().getColumnCount();
          while (r.next()) {
            rows++;
            for (int c = 1; c <= columns; c++) {
              if (text(r.getObject(c)).contains(CANARY)) {
                found.add("journal row of " + table + ", column " + r.getMetaData().getColumnName(c));
              }
            }
          }
        }
      }
    }
    return rows;
  }

  /** A column's value as text: payloads are bytes (JSON, or CBOR whose strings are UTF-8 too). */
  private static String text(Object value) throws Exception {
    if (value == null) return "";
    if (value instanceof byte[] bytes) return new String(bytes, StandardCharsets.UTF_8);
    if (value instanceof java.sql.Blob blob) return new String(blob.getBytes(1, (int) blob.length()), StandardCharsets.UTF_8);
    if (value instanceof java.sql.Clob clob) return clob.getSubString(1, (int) clob.length());
    return String.valueOf(value);
  }

  /** The audit, as scripts/detour audit builds it, from a second actor system beside the router. */
  private static AuditReport audit() throws Exception {
    var config = DetourConfig.load(ConfigFactory.parseString(
        "detour.journal.h2-file = \"" + journal.toAbsolutePath().toString().replace('\\', '/') + "\"\n"
            + "akka.loglevel = WARNING"));
    ActorSystem<Void> reader = ActorSystem.create(Behaviors.empty(), "audit", config);
    try {
      return Audit.read(reader, AuditFilter.everything(), clock.instant()).toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
    } finally {
      reader.terminate();
      reader.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
