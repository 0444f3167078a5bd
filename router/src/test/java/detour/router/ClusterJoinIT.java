package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import detour.simulator.testing.SimulatorExtension;
import detour.router.testing.DetourProcess;
import detour.router.testing.ScratchDatabase;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running cluster node (the packaged jar, Cluster Bootstrap, a PostgreSQL journal) against what
 * it must refuse: a second node whose breakers are configured otherwise, writes to its management
 * endpoint, and bad orders to its admin API, which go to the breakers' sharded entities. Bounded:
 * every wait has a deadline, and the test stops every process it starts.
 */
class ClusterJoinIT {
  @RegisterExtension static final SimulatorExtension upstreams = new SimulatorExtension("primary", "fallback");
  static final ObjectMapper JSON = new ObjectMapper();
  static final String ADMIN_TOKEN = "cluster-join-it-admin-token";
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  static ScratchDatabase journal;
  static DetourProcess node1;
  static int management1;
  static String baseConfig;
  static Path work;

  @BeforeAll
  static void startOneNode(@TempDir Path dir) throws Exception {
    work = dir;
    journal = ScratchDatabase.createOrSkip();
    journal.createJournalTables();
    management1 = DetourProcess.freePort();
    // Both nodes find the cluster through node 1's management endpoint; node 1 forms it alone.
    baseConfig = "include file(\"" + Path.of("..", "scripts", "conf", "simulated.conf").toAbsolutePath().normalize()
        + "\")\n" + journal.journalConfig() + "\n"
        + "detour.cluster.formation = bootstrap\n"
        + "akka.discovery.config.services.detour.endpoints = [{host = \"127.0.0.1\", port = " + management1 + "}]\n"
        + "akka.management.cluster.bootstrap.contact-point-discovery {\n"
        + "  required-contact-point-nr = 1, stable-margin = 1s, interval = 500ms }\n";
    node1 = DetourProcess.start(config("node-1.conf", ""), environment("node-1", management1));
  }

  @AfterAll
  static void stop() throws Exception {
    if (node1 != null) node1.close();
    if (journal != null) journal.close();
  }

  @Test
  void aNodeWithAnotherCooldownForAProviderIsRefusedAtJoinAndStopsWhileTheClusterServesOn() throws Exception {
    Path other = config("node-2.conf", "detour.providers.primary.breaker.cooldown = 45s\n");
    long launched = System.nanoTime();
    try (DetourProcess node2 = DetourProcess.launch(other, environment("node-2", DetourProcess.freePort()))) {
      OptionalInt exit = node2.awaitExit(Duration.ofSeconds(90));
      System.out.printf("ClusterJoinIT: the refused node exited with %s %.1f s after its launch%n", exit,
          (System.nanoTime() - launched) / 1e9);
      assertTrue(exit.isPresent(), "the refused node stops by itself; it said: " + node2.output());
      assertNotEquals(0, exit.getAsInt(), "and says so by its exit code");
      String refusal = node2.output().stream().filter(l -> l.contains("ERROR") && l.contains("does not join"))
          .findFirst().orElse("");
      assertTrue(refusal.contains("provider 'primary'") && refusal.contains("detour.providers.primary.breaker.cooldown"),
          "it names the provider and the key: " + node2.output());
      assertTrue(!refusal.substring(refusal.indexOf("does not join")).contains("45"), "never the value: " + refusal);
      assertTrue(node2.output().stream().noneMatch(l -> l.contains("HTTP bound")), "it never served");
    }

    JsonNode members = JSON.readTree(management("GET", "/cluster/members").body());
    assertEquals(1, members.path("members").size(), "node 1 is the only member: " + members);
    assertEquals(members.path("selfNode").asText(), members.path("members").get(0).path("node").asText());
    assertEquals("Up", members.path("members").get(0).path("status").asText());
    assertTrue(node1.output().stream().anyMatch(l -> l.contains("tried to join with breakers configured unlike")
        && l.contains("detour.providers.primary.breaker.cooldown")), "the cluster's node says why, too");
    assertEquals(200, node1.chat("default").statusCode(), "node 1 keeps serving");
  }

  @Test
  void theManagementEndpointRefusesEveryWriteAndTheMemberStaysUp() throws Exception {
    String self = JSON.readTree(management("GET", "/cluster/members").body()).path("selfNode").asText();
    String member = "/cluster/members/" + URLEncoder.encode(self, StandardCharsets.UTF_8);
    for (String operation : List.of("Leave", "Down")) {
      var reply = management("PUT", member, "operation=" + operation);
      assertEquals(405, reply.statusCode(), "PUT operation=" + operation + ": " + reply.body());
    }
    assertEquals(405, management("DELETE", member).statusCode());
    assertEquals(405, management("POST", "/cluster/members", "address=" + self).statusCode());
    assertEquals(404, management("GET", "/cluster/nothing-here").statusCode());
    assertEquals(404, management("GET", "/admin/breakers").statusCode(), "the admin API is not on this port");

    JsonNode members = JSON.readTree(management("GET", "/cluster/members").body());
    assertEquals(1, members.path("members").size(), members.toString());
    assertEquals("Up", members.path("members").get(0).path("status").asText(), "still Up: " + members);
    assertEquals(200, management("GET", "/ready").statusCode());
  }

  @Test
  void badAdminOrdersOnAClusterNodeAreRefusedInTheApisFormatAndNothingIsJournaled() throws Exception {
    String good = "{\"operator\": \"ana\", \"reason\": \"maintenance\"}";
    assertError(admin("/admin/breakers/primary/drain", good, null), 401, "invalid_admin_token", "Bearer");
    assertError(admin("/admin/breakers/primary/drain", good, "wrong-token-0123456789"), 401, "invalid_admin_token", "Bearer");
    assertError(admin("/admin/breakers/nope/drain", good, ADMIN_TOKEN), 404, "unknown_breaker", "nope");
    assertError(admin("/admin/breakers/primary/drain",
        "{\"operator\": \"ana\", \"reason\": \"x\", \"model\": \"no-such-model\"}", ADMIN_TOKEN),
        404, "unknown_breaker", "primary/no-such-model");
    assertError(admin("/admin/breakers/primary/explode", good, ADMIN_TOKEN), 404, "unknown_action", "explode");
    assertError(admin("/admin/breakers/primary/drain", "{\"reason\": \"x\"}", ADMIN_TOKEN), 400, null, "operator");
    assertError(admin("/admin/breakers/primary/drain",
        "{\"operator\": \"ana\", \"model\": \"sim-large\"}", ADMIN_TOKEN), 400, null, "reason");
    assertError(admin("/admin/breakers/primary/drain", "{\"operator\": ", ADMIN_TOKEN), 400, null, "not valid JSON");
    assertError(admin("/admin/breakers/primary/open", good, ADMIN_TOKEN), 400, null, "duration_seconds");

    assertEquals(List.of(), journal.journaled("ProviderBreaker|primary"), "nothing journaled for the provider");
    assertEquals(List.of(), journal.journaled("ProviderBreaker|primary/sim-large"), "nor for its model");
    JsonNode health = JSON.readTree(node1.get("/health").body()).path("breakers");
    assertEquals("closed", health.path("primary").path("circuit").asText(), health.toString());
    assertEquals("closed", health.path("primary/sim-large").path("circuit").asText(), health.toString());

    // The same path with a good order reaches the owner, which journals it: the checks above could fail.
    var reset = admin("/admin/breakers/primary/reset", good, ADMIN_TOKEN);
    assertEquals(200, reset.statusCode(), reset.body());
    assertEquals(List.of("detour.persistence.breaker.BreakerEvent$Reset"), journal.journaled("ProviderBreaker|primary"));
  }

  private static void assertError(HttpResponse<String> reply, int status, String code, String mentions) throws Exception {
    assertEquals(status, reply.statusCode(), reply.body());
    JsonNode error = JSON.readTree(reply.body()).path("error");
    assertEquals("invalid_request_error", error.path("type").asText(), reply.body());
    if (code != null) assertEquals(code, error.path("code").asText(), reply.body());
    assertTrue(error.path("message").asText().contains(mentions), reply.body());
    assertTrue(!reply.body().contains(ADMIN_TOKEN), "the token is never echoed");
  }

  private static HttpResponse<String> admin(String path, String body, String token) throws Exception {
    var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node1.port() + path))
        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) request.header("Authorization", "Bearer " + token);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> management(String method, String path) throws Exception {
    return management(method, path, null);
  }

  /** A call to node 1's management endpoint; a form body when given. */
  private static HttpResponse<String> management(String method, String path, String form) throws Exception {
    var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management1 + path))
        .timeout(Duration.ofSeconds(20))
        .method(method, form == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(form));
    if (form != null) request.header("Content-Type", "application/x-www-form-urlencoded");
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Path config(String name, String extra) throws Exception {
    Path file = work.resolve(name);
    Files.writeString(file, baseConfig + extra);
    return file;
  }

  private static Map<String, String> environment(String nodeName, int managementPort) {
    return Map.of(
        "DETOUR_SIM_PRIMARY_URL", upstreams.instance("primary").baseUrl(),
        "DETOUR_SIM_FALLBACK_URL", upstreams.instance("fallback").baseUrl(),
        "DETOUR_NODE_NAME", nodeName,
        "DETOUR_ADMIN_TOKEN", ADMIN_TOKEN,
        "DETOUR_MANAGEMENT_PORT", Integer.toString(managementPort));
  }
}
