package detour.router.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import akka.Done;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.PersistenceQuery;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.stream.javadsl.Sink;
import com.typesafe.config.ConfigFactory;
import detour.persistence.DetourConfig;
import detour.persistence.JournalSchema;
import detour.persistence.breaker.BreakerEvent;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.Evidence;
import detour.persistence.breaker.FailureKind;
import detour.persistence.breaker.TripReason;
import detour.persistence.routing.Ending;
import detour.persistence.routing.ModelRef;
import detour.persistence.routing.PassCause;
import detour.persistence.routing.RoutingEvent;
import detour.providers.breaker.BreakerSettings;
import detour.providers.breaker.BreakerState;
import detour.providers.breaker.BreakerState.Circuit;
import detour.providers.breaker.BreakerView;
import detour.providers.breaker.ProviderBreaker;
import detour.providers.testing.TestClock;
import detour.router.config.JournalSettings.RoutingRecordSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Time-based retention on the real H2 journal: what is older than the retention goes, whole
 * incidents and whole intervals only, and every breaker still recovers to the phase it was in.
 * The clock and the timers move by hand; nothing sleeps.
 */
class JournalRetentionTest {
  static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");
  static final TestClock clock = TestClock.at("2026-01-05T09:00:00Z");
  static final ActorTestKit testKit = ActorTestKit.create("retention", DetourConfig.load(ManualTime.config()
      .withFallback(ConfigFactory.parseString(String.join("\n",
          "detour.journal.h2-file = \"" + journalFile() + "\"",
          "akka.loglevel = WARNING",
          // Timed on the scheduler, which only the test moves: see RouterHarness.
          "jdbc-journal.circuit-breaker.call-timeout = 1h",
          "jdbc-snapshot-store.circuit-breaker.call-timeout = 1h")))));
  static final ManualTime manualTime = ManualTime.get(testKit.system());
  static final JdbcReadJournal read = PersistenceQuery.get(testKit.system().classicSystem())
      .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());

  static {
    JournalSchema.keepH2OnLoopback();
    JournalSchema.ensure(testKit.system()).toCompletableFuture().join();
  }

  static String journalFile() {
    try {
      return Files.createTempDirectory("detour-retention").resolve("journal").toString().replace('\\', '/');
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterAll
  static void shutDown() {
    testKit.shutdownTestKit();
  }

  static final Duration THIRTY_DAYS = Duration.ofDays(30);

  static BreakerEvent.Tripped trip(BreakerScope scope, Instant at, TripReason reason, int reopens) {
    return new BreakerEvent.Tripped(scope, at, at.plusSeconds(30), reopens, new Evidence(reason, 10,
        Map.of(FailureKind.OVERLOADED, 5), 0, 5, 0, 503, "overloaded", Duration.ofSeconds(30), Duration.ZERO));
  }

  @Test
  void aBreakerForgetsIncidentsClosedBeforeTheRetentionAndStillRecoversItsPhase() throws Exception {
    var scope = BreakerScope.model("old", "m");
    var young = BreakerScope.model("young", "m");
    var day40 = T0.plus(Duration.ofDays(40));
    // An incident 40 days ago, with a snapshot taken while it was open, then one still open now.
    write(ProviderBreaker.persistenceId(scope), Set.of(1L), List.of(
        trip(scope, T0, TripReason.CONSECUTIVE_FAULTS, 0),
        new BreakerEvent.ProbingStarted(scope, T0.plusSeconds(30), 1),
        new BreakerEvent.Recovered(scope, T0.plusSeconds(31)),
        trip(scope, day40, TripReason.FAILURE_RATE, 0),
        new BreakerEvent.ProbingStarted(scope, day40.plusSeconds(30), 1)));
    // An incident that opened 40 days ago but closed 20 days ago: kept whole.
    write(ProviderBreaker.persistenceId(young), Set.of(), List.of(
        trip(young, T0, TripReason.CONSECUTIVE_FAULTS, 0),
        new BreakerEvent.Recovered(young, T0.plus(Duration.ofDays(20)))));
    clock.advance(Duration.ofDays(40).plusMinutes(1));

    var reports = testKit.<JournalRetention.Swept>createTestProbe();
    testKit.spawn(JournalRetention.create(
        List.of(ProviderBreaker.persistenceId(scope).id(), ProviderBreaker.persistenceId(young).id()),
        Optional.of("routing-record|nobody"), THIRTY_DAYS, Duration.ofHours(1), clock, reports.ref()));
    manualTime.timePasses(Duration.ofHours(1));
    var swept = reports.receiveMessage(Duration.ofSeconds(20));

    assertNull(swept.failure());
    assertEquals(Map.of(ProviderBreaker.persistenceId(scope).id(), 3L), swept.deletedUpTo());
    assertEquals(List.of(4L, 5L), sequenceNumbers(ProviderBreaker.persistenceId(scope)));
    assertEquals(List.of(1L, 2L), sequenceNumbers(ProviderBreaker.persistenceId(young)));

    // The snapshot taken while open was deleted with the events: the breaker replays the open
    // incident from a closed circuit, exactly as it happened, instead of crashing on it.
    var breaker = testKit.spawn(ProviderBreaker.create(scope, BreakerSettings.defaults(), clock, BreakerView.detached()));
    var state = testKit.<BreakerState>createTestProbe();
    breaker.tell(new ProviderBreaker.GetState(state.ref()));
    assertEquals(Circuit.HALF_OPEN, state.receiveMessage(Duration.ofSeconds(20)).circuit());
  }

  @Test
  void theRoutingRecordKeepsTheIntervalsThatEndedWithinTheRetentionAndGoesOnNumbering() throws Exception {
    String node = "retained";
    PersistenceId id = RoutingRecorder.persistenceId(node);
    var now = clock.instant();
    write(id, Set.of(), List.of(interval(node, now.minus(Duration.ofDays(31))), interval(node, now.minus(Duration.ofDays(30))),
        interval(node, now.minus(Duration.ofDays(29)))));

    var retention = testKit.spawn(JournalRetention.create(List.of(), Optional.of(id.id()), THIRTY_DAYS, Duration.ofHours(1), clock, null));
    var answer = testKit.<JournalRetention.Swept>createTestProbe();
    retention.tell(new JournalRetention.Sweep(answer.ref()));
    assertEquals(Map.of(id.id(), 2L), answer.receiveMessage(Duration.ofSeconds(20)).deletedUpTo());
    assertEquals(List.of(3L), sequenceNumbers(id));

    // The recorder writes on after the rows it lost, never over them.
    var recorder = testKit.spawn(RoutingRecorder.create(node,
        new RoutingRecordSettings(true, Duration.ofSeconds(10), 5, 256), clock));
    recorder.tell(new RoutingRecorder.Observed(new RoutedRequest("r1", "default", Ending.EXHAUSTED, null,
        List.of(new RoutedRequest.Pass(new ModelRef("a", "m"), PassCause.of(FailureKind.OVERLOADED))), true,
        List.of("a/m:failed:OVERLOADED"))));
    var flushed = testKit.<Done>createTestProbe();
    recorder.tell(new RoutingRecorder.Flush(flushed.ref()));
    flushed.receiveMessage(Duration.ofSeconds(20));
    assertEquals(List.of(3L, 4L), sequenceNumbers(id));
  }

  static RoutingEvent.IntervalRecorded interval(String node, Instant end) {
    return new RoutingEvent.IntervalRecorded(node, end.minusSeconds(10), end, 1,
        List.of(new RoutingEvent.Failover("default", new ModelRef("a", "m"), new ModelRef("b", "n"),
            PassCause.of(FailureKind.OVERLOADED), 1)),
        List.of(), 0, 0, List.of());
  }

  static List<Long> sequenceNumbers(PersistenceId id) throws Exception {
    return read.currentEventsByPersistenceId(id.id(), 0L, Long.MAX_VALUE).map(e -> e.sequenceNr())
        .runWith(Sink.seq(), testKit.system()).toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  /** Journals the events under the id, snapshotting the breaker's phase after the given ones. */
  static void write(PersistenceId id, Set<Long> snapshotAfter, List<Object> events) {
    var done = testKit.<Done>createTestProbe();
    var writer = testKit.spawn(Writer.create(id, snapshotAfter));
    for (Object event : events) {
      // One write each, as the breaker writes them, so that a snapshot holds the phase of its own event.
      writer.tell(new Writer.Write(List.of(event), done.ref()));
      done.receiveMessage(Duration.ofSeconds(20));
    }
    testKit.stop(writer);
  }

  /** Writes journal rows as the breaker (and the routing record) would, with the breaker's snapshots. */
  static final class Writer extends EventSourcedBehavior<Writer.Write, Object, ProviderBreaker.Phase> {
    record Write(List<Object> events, ActorRef<Done> replyTo) {}

    private final Set<Long> snapshotAfter;

    static Behavior<Write> create(PersistenceId id, Set<Long> snapshotAfter) {
      return new Writer(id, snapshotAfter);
    }

    private Writer(PersistenceId id, Set<Long> snapshotAfter) {
      super(id);
      this.snapshotAfter = snapshotAfter;
    }

    @Override
    public ProviderBreaker.Phase emptyState() {
      return new ProviderBreaker.Closed();
    }

    @Override
    public boolean shouldSnapshot(ProviderBreaker.Phase state, Object event, long sequenceNr) {
      return snapshotAfter.contains(sequenceNr);
    }

    @Override
    public CommandHandler<Write, Object, ProviderBreaker.Phase> commandHandler() {
      return newCommandHandlerBuilder().forAnyState()
          .onCommand(Write.class, (state, w) -> Effect().persist(w.events()).thenReply(w.replyTo(), s -> Done.getInstance()))
          .build();
    }

    @Override
    public EventHandler<ProviderBreaker.Phase, Object> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> {
        if (event instanceof BreakerEvent.Tripped t) return new ProviderBreaker.Open(t.until(), t.reopens(), t.evidence().reason());
        if (event instanceof BreakerEvent.ProbingStarted p) return new ProviderBreaker.HalfOpen(0, p.probes());
        return new ProviderBreaker.Closed();
      });
    }
  }
}
