package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import detour.persistence.DetourConfig;
import detour.persistence.audit.Audit;
import detour.persistence.audit.AuditFilter;
import detour.persistence.audit.AuditReport;
import detour.persistence.audit.IncidentTimeline;
import detour.persistence.audit.JournalReader;
import detour.persistence.breaker.BreakerEvent;
import detour.persistence.breaker.TripReason;
import detour.providers.breaker.BreakerState.Circuit;
import detour.simulator.Behaviour;
import detour.providers.testing.TestClock;
import detour.router.testing.DetourProcess;
import detour.router.testing.RouterHarness;
import detour.simulator.testing.SimulatorExtension;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit replays a staged incident from the journal, exactly, while the router still runs: the
 * breaker's moves, and the routing record's count of the requests that failed over during it.
 */
class AuditIT {
  @RegisterExtension static final SimulatorExtension upstreams = new SimulatorExtension("a", "b");

  @Test
  void replayReproducesAStagedIncidentBesideTheRunningRouter(@TempDir Path dir) throws Exception {
    var clock = TestClock.at("2026-01-05T09:00:00Z");
    var journal = dir.resolve("journal");
    var primary = upstreams.instance("a");
    try (var router = RouterHarness.start(upstreams.simulator(), List.of("a", "b"), journal, clock,
        RouterHarness.SIMPLE_RECOVERY)) {
      primary.behave(Behaviour.error(503));
      for (int i = 0; i < 5; i++) router.chat();
      primary.behave(Behaviour.ok());
      router.timePasses(Duration.ofSeconds(30));
      router.chat();
      router.assertCircuit("a/model-a", Circuit.CLOSED);

      var incidents = IncidentTimeline.ofAll(readJournal(journal));

      assertEquals(1, incidents.size());
      var incident = incidents.get(0);
      assertEquals("a/model-a", incident.scope().key());
      assertEquals(Instant.parse("2026-01-05T09:00:00Z"), incident.openedAt());
      assertEquals(Instant.parse("2026-01-05T09:00:30Z"), incident.closedAt().orElseThrow());
      assertEquals(TripReason.CONSECUTIVE_FAULTS, incident.cause().orElseThrow().reason());
      assertEquals(5, incident.cause().orElseThrow().consecutiveFaults());
      assertEquals(List.of(BreakerEvent.Tripped.class, BreakerEvent.ProbingStarted.class, BreakerEvent.Recovered.class),
          incident.events().stream().map(Object::getClass).toList());
      String text = new AuditReport(incidents, clock.instant()).text();
      assertTrue(text.contains("a/model-a") && text.contains("CONSECUTIVE_FAULTS") && text.contains("30.0 s"), text);
    }
  }

  @Test
  void theAuditCountsExactlyTheRequestsThatFailedOverDuringAStagedIncident(@TempDir Path dir) throws Exception {
    var clock = TestClock.at("2026-01-05T09:00:00Z");
    var journal = dir.resolve("journal");
    var primary = upstreams.instance("a");
    var fallback = upstreams.instance("b");
    String token = "audit-admin-token-0123456789";
    try (var router = RouterHarness.start(upstreams.simulator(), List.of("a", "b"), journal, clock,
        RouterHarness.SIMPLE_RECOVERY + "\ndetour.admin.token = \"" + token + "\"\ndetour.node-name = audit-it")) {
      primary.behave(Behaviour.error(503));
      for (int i = 0; i < 5; i++) assertEquals("b", router.chat().header("x-detour-provider"), "tried a, failed over");
      router.assertCircuit("a/model-a", Circuit.OPEN);
      for (int i = 0; i < 7; i++) assertEquals("b", router.chat().header("x-detour-provider"), "a skipped, open");
      fallback.behave(Behaviour.error(503));
      for (int i = 0; i < 2; i++) assertEquals(503, router.chat().status(), "a skipped, b failed: nobody answered");
      fallback.behave(Behaviour.ok());
      primary.behave(Behaviour.ok());
      router.timePasses(Duration.ofSeconds(30));  // the interval is over: written; the cooldown too
      router.chat();                               // the probe closes the circuit, at the first try
      router.assertCircuit("a/model-a", Circuit.CLOSED);
      router.flushRoutingRecord();

      var report = new ObjectMapper().readTree(audit(journal, clock.instant()).json());

      assertEquals(1, report.path("routing_intervals").asInt(), "one interval had failovers: one row");
      assertEquals(12, report.path("routes").path("default").path("answered").asInt());
      assertEquals(2, report.path("routes").path("default").path("exhausted").asInt());
      var incidents = report.path("incidents");
      assertEquals(1, incidents.size(), "b failed twice: not enough to open it");
      var routing = incidents.get(0).path("routing");
      assertEquals(12, routing.path("failed_over").asInt());
      assertEquals(12, routing.path("failed_over_to").path("b/model-b").asInt());
      assertEquals(1, routing.path("failed_over_to").size());
      assertEquals(5, routing.path("failed_over_by_cause").path("overloaded").asInt(), "the five 503s that opened it");
      assertEquals(7, routing.path("failed_over_by_cause").path("circuit_open").asInt(), "passed over while open");
      assertEquals(2, routing.path("failed_entirely").asInt());
      assertEquals(2, routing.path("failed_entirely_by_cause").path("circuit_open").asInt());
      assertEquals(12, routing.path("routes").path("default").path("failed_over").asInt());
      assertEquals(5, routing.path("sample_requests").size(), "sample-size, by default 5");

      // The running node serves the same figures.
      var served = router.send(java.net.http.HttpRequest.newBuilder(router.uri("/admin/incidents?route=default"))
          .header("Authorization", "Bearer " + token).GET());
      assertEquals(200, served.status());
      assertEquals(routing, served.body().path("incidents").get(0).path("routing"));
      assertEquals("default", served.body().path("route").asText());
      var otherRoute = router.send(java.net.http.HttpRequest.newBuilder(router.uri("/admin/incidents?route=elsewhere"))
          .header("Authorization", "Bearer " + token).GET());
      assertEquals(0, otherRoute.body().path("incidents").get(0).path("routing").path("failed_over").asInt());
    }
  }

  @Test
  void theIntervalUnderWayIsWrittenWhenTheNodeStops(@TempDir Path dir) throws Exception {
    var clock = TestClock.at("2026-01-05T09:00:03Z");
    var journal = dir.resolve("journal");
    upstreams.instance("a").behave(Behaviour.error(503));
    try (var router = RouterHarness.start(upstreams.simulator(), List.of("a", "b"), journal, clock,
        RouterHarness.SIMPLE_RECOVERY)) {
      for (int i = 0; i < 3; i++) assertEquals("b", router.chat().header("x-detour-provider"));
    }  // stopped mid-interval: no timer wrote it, the coordinated shutdown must

    var report = new ObjectMapper().readTree(audit(journal, clock.instant()).json());
    assertEquals(1, report.path("routing_intervals").asInt());
    assertEquals(3, report.path("routes").path("default").path("answered").asInt());
  }

  /** The audit as scripts/detour audit builds it, from a second actor system beside the router. */
  /**
   * The audit and the what-if replay, run as scripts/detour runs them, beside a router whose
   * Artery and management ports are pinned (DETOUR_REMOTE_PORT, DETOUR_MANAGEMENT_PORT): they bind
   * neither, so they run while something holds both.
   */
  @Test
  void theAuditToolsRunWhileTheRoutersPinnedPortsAreTaken(@TempDir Path dir) throws Exception {
    var journal = dir.resolve("journal");
    RouterHarness.start(upstreams.simulator(), List.of("a", "b"), journal, TestClock.at("2026-01-05T09:00:00Z")).close();
    Path simulated = Path.of("..", "scripts", "conf", "simulated.conf");
    Path candidate = Files.writeString(dir.resolve("candidate.conf"), "detour.breaker.consecutive-faults = 2\n");
    var loopback = InetAddress.getLoopbackAddress();
    try (var remote = new ServerSocket(0, 50, loopback); var management = new ServerSocket(0, 50, loopback)) {
      var environment = Map.of("DETOUR_H2_FILE", journal.toString(),
          "DETOUR_REMOTE_PORT", Integer.toString(remote.getLocalPort()),
          "DETOUR_MANAGEMENT_PORT", Integer.toString(management.getLocalPort()));
      var audit = DetourProcess.runTool("detour.persistence.audit.AuditMain", simulated, environment,
          Duration.ofSeconds(90), "--format", "json");
      assertEquals(0, audit.exitCode(), audit.stderr());
      assertTrue(audit.stdout().contains("\"incidents\""), audit.stdout());
      var whatIf = DetourProcess.runTool("detour.router.whatif.WhatIfMain", simulated, environment,
          Duration.ofSeconds(90), "--what-if", candidate.toString());
      assertEquals(0, whatIf.exitCode(), whatIf.stderr());
    }
  }

  private static AuditReport audit(Path journal, Instant now) throws Exception {
    var config = DetourConfig.load(ConfigFactory.parseString(
        "detour.journal.h2-file = \"" + journal.toAbsolutePath().toString().replace('\\', '/') + "\"\n"
            + "akka.loglevel = WARNING"));
    ActorSystem<Void> reader = ActorSystem.create(Behaviors.empty(), "audit", config);
    try {
      return Audit.read(reader, AuditFilter.everything(), now).toCompletableFuture().get(60, TimeUnit.SECONDS);
    } finally {
      reader.terminate();
      reader.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** Reads the journal from a second actor system, as scripts/detour audit does. */
  private static List<List<BreakerEvent>> readJournal(Path journal) throws Exception {
    var config = DetourConfig.load(ConfigFactory.parseString(
        "detour.journal.h2-file = \"" + journal.toAbsolutePath().toString().replace('\\', '/') + "\"\n"
            + "akka.loglevel = WARNING"));
    ActorSystem<Void> reader = ActorSystem.create(Behaviors.empty(), "audit", config);
    try {
      return new JournalReader(reader).breakerEvents().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } finally {
      reader.terminate();
      reader.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
