package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.providers.breaker.BreakerState.Circuit;
import detour.providers.testing.TestClock;
import detour.router.testing.RouterHarness;
import detour.simulator.testing.SimulatorExtension;
import detour.router.testing.RouterHarness.Reply;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Operators act on breakers over HTTP; every action is checked, authenticated and journaled. */
class AdminIT {
  static final String TOKEN = "admin-token-for-tests";
  static final ObjectMapper JSON = new ObjectMapper();
  @RegisterExtension static final SimulatorExtension upstreams = new SimulatorExtension("a", "b");
  static RouterHarness router;

  @BeforeAll
  static void start(@TempDir Path journalDir) {
    router = RouterHarness.start(upstreams.simulator(), List.of("a", "b"), journalDir.resolve("journal"),
        TestClock.at("2026-01-05T09:00:00Z"), RouterHarness.SIMPLE_RECOVERY + "\ndetour.admin.token = \"" + TOKEN + "\"");
  }

  @AfterAll
  static void stop() {
    router.close();
  }

  @BeforeEach
  void resetEverything() {
    post("/admin/breakers/a/reset", "{\"operator\":\"test\",\"reason\":\"clean slate\"}", TOKEN);
  }

  @Test
  void everyCallNeedsTheToken() {
    assertEquals(401, get("/admin/breakers", null).status());
    Reply wrong = get("/admin/breakers", "not-the-token");
    assertEquals(401, wrong.status());
    assertEquals("invalid_admin_token", wrong.body().path("error").path("code").asText());
  }

  @Test
  void listsEveryBreakerWithItsStateAndWindow() {
    router.chat();
    Reply reply = get("/admin/breakers", TOKEN);
    assertEquals(200, reply.status());
    var breakers = reply.body().path("breakers");
    assertEquals(4, breakers.size(), "one per provider and one per model");
    assertEquals("a", breakers.get(0).path("breaker").asText());
    assertEquals("a/model-a", breakers.get(1).path("breaker").asText());
    assertEquals("model-a", breakers.get(1).path("model").asText());
    assertEquals("closed", breakers.get(0).path("state").path("circuit").asText());
    assertEquals(1, breakers.get(0).path("window").path("calls").asInt());
    assertEquals(1, breakers.get(1).path("window").path("calls").asInt());
  }

  @Test
  void forcingTheCircuitOpenMovesTrafficAtOnce() {
    Reply reply = post("/admin/breakers/a/open",
        "{\"operator\":\"ana\",\"reason\":\"provider maintenance\",\"duration_seconds\":600}", TOKEN);
    assertEquals(200, reply.status());
    assertEquals("open", reply.body().path("state").path("circuit").asText());
    router.assertCircuit("a", Circuit.OPEN);

    assertEquals("b", router.chat().header("x-detour-provider"));
    assertEquals(0, upstreams.instance("a").requests());
  }

  @Test
  void aDrainedProviderIsNeverTriedNotEvenAsALastResort() {
    post("/admin/breakers/a/drain", "{\"operator\":\"ana\",\"reason\":\"bad answers\"}", TOKEN);
    post("/admin/breakers/b/open", "{\"operator\":\"ana\",\"reason\":\"test\",\"duration_seconds\":60}", TOKEN);
    try {
      Reply reply = router.chat();
      assertEquals("drained by an operator", reply.trace().path("attempts").get(0).path("detail").asText());
      assertEquals(0, upstreams.instance("a").requests());
    } finally {
      post("/admin/breakers/b/reset", "{\"operator\":\"test\",\"reason\":\"clean slate\"}", TOKEN);
    }
  }

  @Test
  void aModelsBreakerIsNamedInTheBody() {
    Reply reply = post("/admin/breakers/a/drain",
        "{\"operator\":\"ana\",\"reason\":\"bad answers\",\"model\":\"model-a\"}", TOKEN);
    try {
      assertEquals(200, reply.status(), reply.raw().body());
      assertEquals("a/model-a", reply.body().path("breaker").asText());
      router.assertCircuit("a/model-a", Circuit.DRAINED);
      router.assertCircuit("a", Circuit.CLOSED);
    } finally {
      post("/admin/breakers/a/reset", "{\"operator\":\"t\",\"reason\":\"x\",\"model\":\"model-a\"}", TOKEN);
    }
  }

  @Test
  void incidentsAreServedAsTheAuditsJsonWithFilters() {
    post("/admin/breakers/b/drain", "{\"operator\":\"ana\",\"reason\":\"audit me\"}", TOKEN);
    post("/admin/breakers/b/reset", "{\"operator\":\"ana\",\"reason\":\"done\"}", TOKEN);

    Reply reply = get("/admin/incidents?provider=b", TOKEN);

    assertEquals(200, reply.status(), reply.raw().body());
    assertEquals("detour.audit/v1", reply.body().path("schema").asText());
    var incidents = reply.body().path("incidents");  // other tests of this class may add their own
    var drained = java.util.stream.StreamSupport.stream(incidents.spliterator(), false)
        .filter(i -> "audit me".equals(i.path("timeline").get(0).path("reason").asText()))
        .findFirst().orElseThrow(() -> new AssertionError("no incident for the drain: " + reply.raw().body()));
    assertEquals("b", drained.path("breaker").asText());
    assertEquals("drained", drained.path("timeline").get(0).path("event").asText());
    assertEquals("reset", drained.path("timeline").get(1).path("event").asText());
    assertTrue(java.util.stream.StreamSupport.stream(incidents.spliterator(), false)
        .allMatch(i -> i.path("provider").asText().equals("b")), "filtered by provider");

    assertEquals(0, get("/admin/incidents?provider=nobody", TOKEN).body().path("incidents").size());
    assertBad(get("/admin/incidents?from=yesterday", TOKEN), 400, "ISO-8601");
    assertEquals(401, get("/admin/incidents", null).status());
  }

  @Test
  void badOrdersAreRefusedClearlyAndChangeNothing() {
    assertBad(post("/admin/breakers/a/open", "{\"operator\":\"ana\",\"reason\":\"x\"}", TOKEN), 400, "duration_seconds");
    assertBad(post("/admin/breakers/a/open", "{\"operator\":\"ana\",\"reason\":\"x\",\"duration_seconds\":-5}", TOKEN),
        400, "duration_seconds");
    assertBad(post("/admin/breakers/a/drain", "{\"reason\":\"x\"}", TOKEN), 400, "operator");
    assertBad(post("/admin/breakers/a/drain", "{\"operator\":\"ana\"}", TOKEN), 400, "reason");
    assertBad(post("/admin/breakers/a/drain", "{not json", TOKEN), 400, "not valid JSON");
    assertBad(post("/admin/breakers/nope/drain", "{\"operator\":\"ana\",\"reason\":\"x\"}", TOKEN), 404, "nope");
    assertBad(post("/admin/breakers/a/explode", "{\"operator\":\"ana\",\"reason\":\"x\"}", TOKEN), 404, "explode");
    router.assertCircuit("a", Circuit.CLOSED);
  }

  @Test
  void controlCharactersInWhoOrWhyAreRefusedAndNothingIsJournaled() throws Exception {
    List<String> forged = List.of("\n", "\r\n", "\t", "\u0000", "\u0007", "\u001b[2J", "\u2028", "\u2029", "\u200b",
        "\u0085").stream().map(c -> "refused" + c + "order").toList();
    for (String field : List.of("operator", "reason")) {
      for (String value : forged) {
        ObjectNode order = JSON.createObjectNode().put("operator", "ana").put("reason", "refused order");
        order.put(field, value);
        Reply reply = post("/admin/breakers/b/drain", JSON.writeValueAsString(order), TOKEN);

        String what = field + " " + JSON.writeValueAsString(value);
        assertEquals(400, reply.status(), what + ": " + reply.raw().body());
        JsonNode error = reply.body().path("error");
        assertEquals("invalid_request_error", error.path("type").asText(), what);
        assertEquals("invalid_admin_field", error.path("code").asText(), what);
        assertEquals(field, error.path("param").asText(), what);
        router.assertCircuit("b", Circuit.CLOSED);
      }
    }
    // A good order afterwards is journaled and read back: the refused ones would have been too.
    post("/admin/breakers/b/drain", "{\"operator\":\"ana\",\"reason\":\"accepted-order\"}", TOKEN);
    post("/admin/breakers/b/reset", "{\"operator\":\"ana\",\"reason\":\"accepted-order\"}", TOKEN);
    String journaled = get("/admin/incidents?provider=b", TOKEN).raw().body();
    assertTrue(journaled.contains("accepted-order"), journaled);
    assertFalse(journaled.contains("refused"), journaled);
  }

  @Test
  void aFractionalDurationIsRefusedNotRoundedDown() {
    for (String seconds : List.of("1.5", "600.0", "1e3", "\"600\"", "true", "99999999999999999999")) {
      Reply reply = post("/admin/breakers/a/open",
          "{\"operator\":\"ana\",\"reason\":\"x\",\"duration_seconds\":" + seconds + "}", TOKEN);
      assertEquals(400, reply.status(), seconds + ": " + reply.raw().body());
      assertEquals("duration_seconds", reply.body().path("error").path("param").asText(), seconds);
      assertEquals("invalid_admin_field", reply.body().path("error").path("code").asText(), seconds);
    }
    router.assertCircuit("a", Circuit.CLOSED);
  }

  @Test
  void whoAndWhyMustBeStrings() {
    assertRefusedField("{\"operator\":12345,\"reason\":\"x\"}", "operator");
    assertRefusedField("{\"operator\":{\"name\":\"ana\"},\"reason\":\"x\"}", "operator");
    assertRefusedField("{\"operator\":\"ana\",\"reason\":true}", "reason");
    assertRefusedField("{\"operator\":\"ana\",\"reason\":[\"x\"]}", "reason");
    assertRefusedField("{\"operator\":\"ana\",\"reason\":\"x\",\"model\":7}", "model");
    assertRefusedField("[\"ana\", \"x\"]", null);
    router.assertCircuit("a", Circuit.CLOSED);
  }

  private static void assertRefusedField(String body, String param) {
    Reply reply = post("/admin/breakers/a/drain", body, TOKEN);
    assertEquals(400, reply.status(), body + ": " + reply.raw().body());
    JsonNode error = reply.body().path("error");
    assertEquals("invalid_admin_field", error.path("code").asText(), body);
    if (param == null) {
      assertTrue(error.path("param").isNull(), body + ": " + reply.raw().body());
    } else {
      assertEquals(param, error.path("param").asText(), body);
      assertTrue(error.path("message").asText().contains(param), reply.raw().body());
    }
  }

  private static void assertBad(Reply reply, int status, String mentions) {
    assertEquals(status, reply.status(), reply.raw().body());
    assertTrue(reply.body().path("error").path("message").asText().contains(mentions), reply.raw().body());
  }

  private static Reply get(String path, String token) {
    var request = HttpRequest.newBuilder(router.uri(path)).GET();
    if (token != null) request.header("Authorization", "Bearer " + token);
    return router.send(request);
  }

  private static Reply post(String path, String body, String token) {
    var request = HttpRequest.newBuilder(router.uri(path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) request.header("Authorization", "Bearer " + token);
    return router.send(request);
  }
}
