package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import detour.persistence.DetourConfig;
import detour.persistence.audit.JournalReader;
import detour.persistence.breaker.BreakerEvent;
import detour.persistence.routing.RoutingEvent.OutcomesRecorded;
import detour.providers.breaker.BreakerState.Circuit;
import detour.simulator.Behaviour;
import detour.simulator.testing.SimulatorExtension;
import detour.providers.testing.TestClock;
import detour.router.config.RouterSettings;
import detour.router.testing.RouterHarness;
import detour.router.whatif.WhatIf;
import detour.router.whatif.WhatIfReport;
import detour.router.whatif.WhatIfResult;
import detour.router.whatif.WhatIfResult.Move;
import detour.router.whatif.WhatIfResult.ScopeStory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The what-if replay end to end: a node records an outage's outcomes while it routes around it;
 * replayed with the settings it ran with, its circuit moves as the journal says it did, and with
 * candidate settings it moves as those settings would have made it.
 */
class WhatIfIT {
  @RegisterExtension static final SimulatorExtension upstreams = new SimulatorExtension("a", "b");

  static final Instant START = Instant.parse("2026-01-05T09:00:00Z");
  static final String SETTINGS = RouterHarness.SIMPLE_RECOVERY + "\ndetour.breaker.cooldown = 10s";

  @Test
  void replayWithTheSettingsInEffectRetracesTheJournalAndACandidateShowsItsOwnTimeline(@TempDir Path dir)
      throws Exception {
    var clock = TestClock.at(START.toString());
    var journal = dir.resolve("journal");
    var primary = upstreams.instance("a");
    RouterSettings current;
    com.typesafe.config.Config nodeConfig;
    try (var router = RouterHarness.start(upstreams.simulator(), List.of("a", "b"), journal, clock, SETTINGS)) {
      nodeConfig = router.config();
      current = RouterSettings.from(nodeConfig);
      // Two requests a second: 10 s healthy, 30 s of 503s from the primary, then 30 s healthy.
      for (int i = 0; i < 140; i++) {
        primary.behave(i >= 20 && i < 80 ? Behaviour.error(503) : Behaviour.ok());
        assertEquals(200, router.chat().status(), "request " + i + " is answered, by a or by b");
        router.timePasses(Duration.ofMillis(500));
      }
      router.assertCircuit("a/model-a", Circuit.CLOSED);
      router.flushRoutingRecord();
    }
    List<List<BreakerEvent>> breakers = new ArrayList<>();
    List<OutcomesRecorded> rows = new ArrayList<>();
    read(journal, breakers, rows);
    var candidate = RouterSettings.from(ConfigFactory.parseString(
        "detour.breaker { consecutive-faults = 2, cooldown = 4s }").withFallback(nodeConfig).resolve());

    WhatIfResult result = WhatIf.replay(breakers, rows, current, candidate, "brisk.conf",
        new WhatIf.Scope(Optional.empty(), Optional.empty(), Optional.empty()));

    assertEquals(1, result.episodes().size(), "one outage, one episode");
    var episode = result.episodes().get(0);
    assertTrue(!episode.start().isAfter(START.plusSeconds(1)), "the calm before the outage is there too: " + episode);
    ScopeStory primaryModel = episode.scopes().stream().filter(s -> s.scope().equals("a/model-a")).findFirst().orElseThrow();
    List<Move> recorded = primaryModel.recorded().moves();
    List<Move> replayed = primaryModel.current().moves();
    assertEquals(recorded.stream().map(Move::circuit).toList(), replayed.stream().map(Move::circuit).toList(),
        WhatIfReport.text(result));
    assertEquals(List.of(Circuit.OPEN, Circuit.HALF_OPEN, Circuit.OPEN, Circuit.HALF_OPEN, Circuit.CLOSED),
        recorded.stream().map(Move::circuit).toList(), "tripped, a failed probe, a passed one");
    for (int i = 0; i < recorded.size(); i++) {
      long apart = Math.abs(Duration.between(recorded.get(i).at(), replayed.get(i).at()).toMillis());
      assertTrue(apart <= 1000, "move " + i + " within a second of the journal's:\n" + WhatIfReport.text(result));
    }
    assertEquals(primaryModel.recorded().calls().calls(), primaryModel.current().calls().calls(),
        "as many calls as were made");

    List<Move> brisk = primaryModel.candidate().moves();
    assertEquals(Circuit.OPEN, brisk.get(0).circuit());
    assertTrue(brisk.get(0).at().isBefore(recorded.get(0).at()), "two faults in a row open it sooner");
    assertTrue(primaryModel.candidate().calls().failed() < primaryModel.recorded().calls().failed(),
        "fewer requests hit the failing primary: " + WhatIfReport.text(result));
    assertEquals(List.of("consecutive-faults: 5 -> 2", "cooldown: 10s -> 4s"), result.changed().get("a"));
    String text = WhatIfReport.text(result);
    assertTrue(text.contains("a/model-a (model circuit)") && text.contains("consecutive_faults"), text);
  }

  private static void read(Path journal, List<List<BreakerEvent>> breakers, List<OutcomesRecorded> rows)
      throws Exception {
    var config = DetourConfig.load(ConfigFactory.parseString(
        "detour.journal.h2-file = \"" + journal.toAbsolutePath().toString().replace('\\', '/') + "\"\n"
            + "akka.loglevel = WARNING"));
    ActorSystem<Void> reader = ActorSystem.create(Behaviors.empty(), "what-if", config);
    try {
      var journalReader = new JournalReader(reader);
      breakers.addAll(journalReader.breakerEvents().toCompletableFuture().get(60, TimeUnit.SECONDS));
      journalReader.outcomeSeconds(rows::add).toCompletableFuture().get(60, TimeUnit.SECONDS);
    } finally {
      reader.terminate();
      reader.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
