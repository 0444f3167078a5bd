package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import detour.persistence.DetourConfig;
import detour.persistence.audit.AuditReport;
import detour.persistence.audit.IncidentTimeline;
import detour.persistence.audit.JournalReader;
import detour.persistence.breaker.BreakerEvent;
import detour.persistence.breaker.TripReason;
import detour.providers.breaker.BreakerState.Circuit;
import detour.providers.simulator.Behaviour;
import detour.providers.testing.TestClock;
import detour.router.testing.RouterHarness;
import detour.router.testing.SimulatorExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The audit replays a staged incident from the journal, exactly, while the router still runs. */
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
