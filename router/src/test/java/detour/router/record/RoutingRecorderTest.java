package detour.router.record;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.Done;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import akka.actor.typed.ActorRef;
import akka.persistence.testkit.PersistenceTestKitPlugin;
import akka.persistence.testkit.javadsl.PersistenceTestKit;
import com.typesafe.config.ConfigFactory;
import detour.persistence.breaker.FailureKind;
import detour.persistence.routing.Ending;
import detour.persistence.routing.ModelRef;
import detour.persistence.routing.PassCause;
import detour.persistence.routing.RoutingEvent.Failover;
import detour.persistence.routing.RoutingEvent.Outcome;
import detour.persistence.routing.RoutingEvent.IntervalRecorded;
import detour.persistence.routing.SkipCause;
import detour.providers.testing.TestClock;
import detour.router.config.JournalSettings.RoutingRecordSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The routing record's bound: one event per interval at most, none for a quiet one, a capped
 * number of keys and samples; and a flush that loses nothing. Time moves only by hand.
 */
class RoutingRecorderTest {
  // The journal's circuit breaker times writes on the scheduler, which the test moves by hand: a
  // jump past a write in flight would fail it. Real writes take microseconds here.
  static final ActorTestKit testKit = ActorTestKit.create(ManualTime.config()
      .withFallback(ConfigFactory.parseString("akka.persistence.testkit.journal.circuit-breaker.call-timeout = 1h"))
      .withFallback(PersistenceTestKitPlugin.getInstance().config()));
  static final ManualTime manualTime = ManualTime.get(testKit.system());
  static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());

  static final ModelRef PRIMARY = new ModelRef("a", "model-a");
  static final ModelRef FALLBACK = new ModelRef("b", "model-b");
  static final PassCause OVERLOADED = PassCause.of(FailureKind.OVERLOADED);
  static final PassCause SERVER_ERROR = PassCause.of(FailureKind.SERVER_ERROR);
  static final PassCause CIRCUIT_OPEN = PassCause.of(SkipCause.CIRCUIT_OPEN);

  @AfterAll
  static void shutDown() {
    testKit.shutdownTestKit();
  }

  final String node = "node-" + UUID.randomUUID().toString().substring(0, 8);
  final String id = RoutingRecorder.persistenceId(node).id();
  TestClock clock;

  @BeforeEach
  void clockAtThreeSecondsIntoAnInterval() {
    clock = TestClock.at("2026-01-05T09:00:03Z");
  }

  ActorRef<RoutingRecorder.Command> recorder(int sampleSize, int maxKeys) {
    return testKit.spawn(RoutingRecorder.create(node, new RoutingRecordSettings(true, Duration.ofSeconds(10),
        sampleSize, maxKeys), clock));
  }

  static RoutingRecorder.Observed failedOver(String id, String route, ModelRef from, PassCause cause) {
    return new RoutingRecorder.Observed(new RoutedRequest(id, route, Ending.ANSWERED, FALLBACK,
        List.of(new RoutedRequest.Pass(from, cause)), false,
        List.of(from.provider() + "/x:failed:" + cause, "b/model-b:answered:200:4ms")));
  }

  static RoutingRecorder.Observed exhausted(String id) {
    return new RoutingRecorder.Observed(new RoutedRequest(id, "default", Ending.EXHAUSTED, null,
        List.of(new RoutedRequest.Pass(PRIMARY, OVERLOADED), new RoutedRequest.Pass(FALLBACK, SERVER_ERROR)), true,
        List.of("a/model-a:failed:OVERLOADED:503:2ms", "b/model-b:failed:SERVER_ERROR:500:3ms")));
  }

  /** Moves the clock and the timers together, after the recorder has handled what it was told. */
  void timePasses(ActorRef<RoutingRecorder.Command> recorder, Duration d) {
    settle(recorder);
    clock.advance(d);
    manualTime.timePasses(d);
  }

  /** Returns once the recorder has handled everything told before. */
  void settle(ActorRef<RoutingRecorder.Command> recorder) {
    var probe = testKit.<Long>createTestProbe();
    recorder.tell(new RoutingRecorder.GetPending(probe.ref()));
    probe.receiveMessage();
  }

  @Test
  void anIntervalWithFailoversIsWrittenAsOneEventWhenItEnds() {
    var recorder = testKit.spawn(RoutingRecorder.create(node, new RoutingRecordSettings(true, Duration.ofSeconds(10),
        5, 256), clock));
    recorder.tell(failedOver("r1", "default", PRIMARY, OVERLOADED));
    recorder.tell(failedOver("r2", "default", PRIMARY, OVERLOADED));
    recorder.tell(failedOver("r3", "default", PRIMARY, CIRCUIT_OPEN));
    recorder.tell(exhausted("r4"));
    journal.expectNothingPersisted(id, Duration.ofMillis(50));

    clock.advance(Duration.ofSeconds(7));
    manualTime.timePasses(Duration.ofSeconds(7));

    var event = journal.expectNextPersistedClass(id, IntervalRecorded.class);
    assertEquals(node, event.node());
    assertEquals(Instant.parse("2026-01-05T09:00:00Z"), event.start(), "aligned to the interval");
    assertEquals(Instant.parse("2026-01-05T09:00:10Z"), event.end());
    assertEquals(4, event.requests());
    assertEquals(List.of(
        new Failover("default", PRIMARY, FALLBACK, CIRCUIT_OPEN, 1),
        new Failover("default", PRIMARY, FALLBACK, OVERLOADED, 2),
        new Failover("default", PRIMARY, null, OVERLOADED, 1),
        new Failover("default", FALLBACK, null, SERVER_ERROR, 1)), event.failovers());
    assertEquals(List.of(new Outcome("default", Ending.ANSWERED, 3), new Outcome("default", Ending.EXHAUSTED, 1)),
        event.outcomes());
    assertEquals(List.of("r1", "r2", "r3", "r4"), event.samples().stream().map(s -> s.requestId()).toList());
    journal.expectNothingPersisted(id, Duration.ofMillis(50));
  }

  @Test
  void quietIntervalsWriteNothing() {
    var recorder = recorder(5, 256);
    for (int i = 0; i < 6; i++) timePasses(recorder, Duration.ofSeconds(10));
    settle(recorder);
    journal.expectNothingPersisted(id, Duration.ofMillis(50));
  }

  @Test
  void aBusyIntervalIsStillOneEventWithBoundedKeysAndSamples() {
    var recorder = recorder(2, 3);
    String[] routes = {"r-a", "r-b", "r-c", "r-d", "r-e"};
    for (int i = 0; i < 10_000; i++) {
      recorder.tell(failedOver("req-" + i, routes[i % routes.length], PRIMARY, OVERLOADED));
    }
    timePasses(recorder, Duration.ofSeconds(7));

    var event = journal.expectNextPersistedClass(id, IntervalRecorded.class);
    assertEquals(10_000, event.requests());
    assertEquals(3, event.failovers().size(), "keys capped at max-keys");
    assertEquals(6_000, event.failovers().stream().mapToLong(Failover::requests).sum());
    assertEquals(4_000, event.otherFailovers(), "the rest counted, not dropped");
    assertEquals(3, event.outcomes().size());
    assertEquals(4_000, event.otherOutcomes());
    assertEquals(List.of("req-0", "req-1"), event.samples().stream().map(s -> s.requestId()).toList());
    journal.expectNothingPersisted(id, Duration.ofMillis(50));
  }

  @Test
  void eachIntervalWithFailoversGetsItsOwnEvent() {
    var recorder = recorder(5, 256);
    recorder.tell(failedOver("r1", "default", PRIMARY, OVERLOADED));
    timePasses(recorder, Duration.ofSeconds(10));  // 09:00:13, the first interval was written
    recorder.tell(failedOver("r2", "default", PRIMARY, CIRCUIT_OPEN));
    timePasses(recorder, Duration.ofSeconds(30));

    var first = journal.expectNextPersistedClass(id, IntervalRecorded.class);
    var second = journal.expectNextPersistedClass(id, IntervalRecorded.class);
    assertEquals(Instant.parse("2026-01-05T09:00:00Z"), first.start());
    assertEquals(Instant.parse("2026-01-05T09:00:10Z"), second.start());
    assertEquals(Instant.parse("2026-01-05T09:00:20Z"), second.end());
    journal.expectNothingPersisted(id, Duration.ofMillis(50));
  }

  @Test
  void aRequestHeardOfLateCountsInTheIntervalItEndedIn() {
    var recorder = recorder(5, 256);
    clock.advance(Duration.ofSeconds(9));  // 09:00:12: the interval the request ended in is over
    var late = failedOver("r1", "default", PRIMARY, OVERLOADED).request();
    recorder.tell(new RoutingRecorder.Observed(late, Instant.parse("2026-01-05T09:00:08Z")));
    timePasses(recorder, Duration.ZERO);

    var event = journal.expectNextPersistedClass(id, IntervalRecorded.class);
    assertEquals(Instant.parse("2026-01-05T09:00:00Z"), event.start());
    assertEquals(Instant.parse("2026-01-05T09:00:10Z"), event.end());
    assertEquals(1, event.requests());
  }

  @Test
  void aFlushWritesTheIntervalUnderWayCutShortAndAnswersOnceItIsWritten() {
    var recorder = recorder(5, 256);
    recorder.tell(failedOver("r1", "default", PRIMARY, OVERLOADED));
    clock.advance(Duration.ofSeconds(2));  // 09:00:05
    var done = testKit.<Done>createTestProbe();
    recorder.tell(new RoutingRecorder.Flush(done.ref()));
    done.receiveMessage();

    var event = journal.expectNextPersistedClass(id, IntervalRecorded.class);
    assertEquals(Instant.parse("2026-01-05T09:00:00Z"), event.start());
    assertEquals(Instant.parse("2026-01-05T09:00:05Z"), event.end(), "cut at the flush");
    assertEquals(1, event.requests());

    recorder.tell(failedOver("r2", "default", PRIMARY, OVERLOADED));
    timePasses(recorder, Duration.ofSeconds(5));
    var rest = journal.expectNextPersistedClass(id, IntervalRecorded.class);
    assertEquals(Instant.parse("2026-01-05T09:00:05Z"), rest.start(), "the rest of the interval, not counted twice");
  }

  @Test
  void outcomeSecondsAroundTroubleAreWrittenAtMostOnceAnIntervalAndCalmOnesNever() {
    var ledger = new OutcomeLedger(clock, java.util.Map.of("model-a", PRIMARY));
    var recorder = testKit.spawn(RoutingRecorder.create(node, new RoutingRecordSettings(true, Duration.ofSeconds(10),
        5, 256, true, Duration.ofSeconds(2), Duration.ofSeconds(1)), clock, ledger));
    for (int s = 0; s < 30; s++) {
      ledger.answered("model-a", "a", 20);
      if (s == 10) ledger.failed("model-a", "a", detour.persistence.breaker.FailureKind.OVERLOADED, 0);
      clock.advance(Duration.ofSeconds(1));
      manualTime.timePasses(Duration.ofSeconds(1));
      settle(recorder);  // the drain runs at this second's time, before the clock moves on
    }
    var done = testKit.<Done>createTestProbe();
    recorder.tell(new RoutingRecorder.Flush(done.ref()));
    done.expectMessage(Done.getInstance());

    var rows = journal.persistedInStorage(id).stream()
        .filter(e -> e instanceof detour.persistence.routing.RoutingEvent.OutcomesRecorded)
        .map(e -> (detour.persistence.routing.RoutingEvent.OutcomesRecorded) e).toList();
    // Written at the first drain after the fault (in the 10-20 s interval), and the tail's second
    // at the first drain of the next interval; nothing of the calm before or after.
    assertEquals(2, rows.size(), "one row per interval that had seconds to write: " + rows);
    var seconds = rows.stream().flatMap(r -> r.seconds().stream()).toList();
    assertEquals(List.of(Instant.parse("2026-01-05T09:00:11Z"), Instant.parse("2026-01-05T09:00:12Z"),
            Instant.parse("2026-01-05T09:00:13Z"), Instant.parse("2026-01-05T09:00:14Z")),
        seconds.stream().map(detour.persistence.routing.RoutingEvent.ModelSecond::at).toList(),
        "the fault's second (13 s) with two before and one after");
    assertEquals(java.util.Map.of("OVERLOADED", 1L), seconds.get(2).failures());
  }
}
