package detour.router.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.FailureKind;
import detour.persistence.breaker.TripReason;
import detour.providers.breaker.BreakerState;
import detour.providers.breaker.BreakerView;
import detour.providers.breaker.ProviderBreaker;
import detour.providers.breaker.ProviderBreaker.RecordFailure;
import detour.providers.breaker.ProviderBreaker.RecordSuccess;
import detour.providers.breaker.ProviderBreaker.RecordSuccesses;
import detour.providers.breaker.VersionedState;
import detour.providers.model.ProviderFailure;
import detour.router.config.ClusterSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The relay between the coordinators and a breaker's owner, with the owner a test probe. */
class OutcomeRelayTest {
  static final ActorTestKit testKit = ActorTestKit.create(ManualTime.config());
  static final ManualTime manualTime = ManualTime.get(testKit.system());
  static final Duration REPORT = Duration.ofMillis(100);
  static final Duration KEEP_ALIVE = Duration.ofSeconds(1);

  final BreakerScope scope = BreakerScope.model("openai", "gpt-4o-mini");
  final BreakerView view = new BreakerView();
  final TestProbe<ProviderBreaker.Command> owner = testKit.createTestProbe();

  @AfterAll
  static void shutDown() {
    testKit.shutdownTestKit();
  }

  private ActorRef<ProviderBreaker.Command> relay(ClusterSettings.Formation formation) {
    var settings = new ClusterSettings(formation, REPORT, KEEP_ALIVE, Duration.ofSeconds(1));
    return testKit.spawn(OutcomeRelay.create(scope, owner.ref(), view, settings)).narrow();
  }

  @Test
  void successesReachTheOwnerAsOneReportPerIntervalNotOneMessageEach() {
    var relay = relay(ClusterSettings.Formation.OFF);
    settle(relay);
    for (long latency = 1; latency <= 50; latency++) relay.tell(new RecordSuccess(latency, false));
    manualTime.expectNoMessageFor(REPORT.minusMillis(1), owner);
    manualTime.timePasses(Duration.ofMillis(1));
    var report = owner.expectMessageClass(RecordSuccesses.class);
    assertEquals(50, report.latencyMillis().size());
    assertEquals(List.of(1L, 2L, 3L), report.latencyMillis().subList(0, 3), "in the order they happened");
    manualTime.expectNoMessageFor(REPORT.multipliedBy(3), owner);  // nothing more to report, nothing sent
  }

  @Test
  void aFailureGoesAtOnceRightAfterTheSuccessesCountedBeforeIt() {
    var relay = relay(ClusterSettings.Formation.OFF);
    relay.tell(new RecordSuccess(7, false));
    relay.tell(new RecordSuccess(8, false));
    var failure = new RecordFailure(ProviderFailure.of(FailureKind.SERVER_ERROR, 503, "down"), false);
    relay.tell(failure);
    assertEquals(new RecordSuccesses(List.of(7L, 8L)), owner.receiveMessage());
    assertEquals(failure, owner.receiveMessage());
    manualTime.expectNoMessageFor(REPORT.multipliedBy(2), owner);  // each success was sent once
  }

  @Test
  void aProbesOutcomeAndAProbePermitAreNeverHeldBack() {
    var relay = relay(ClusterSettings.Formation.OFF);
    relay.tell(new RecordSuccess(9, true));
    assertEquals(new RecordSuccess(9, true), owner.receiveMessage());
    var asker = testKit.<ProviderBreaker.ProbeAnswer>createTestProbe();
    relay.tell(new ProviderBreaker.AskForProbe(asker.ref()));
    assertEquals(new ProviderBreaker.AskForProbe(asker.ref()), owner.receiveMessage());
  }

  @Test
  void aBurstBeyondTheBatchLimitIsReportedWithoutWaiting() {
    var relay = relay(ClusterSettings.Formation.OFF);
    for (int i = 0; i < OutcomeRelay.MAX_BATCH; i++) relay.tell(new RecordSuccess(1, false));
    assertEquals(OutcomeRelay.MAX_BATCH, owner.expectMessageClass(RecordSuccesses.class).latencyMillis().size());
  }

  @Test
  void inAClusterItAsksTheOwnerForItsStateEverySecondAndKeepsTheNewestInTheView() {
    var relay = relay(ClusterSettings.Formation.SELF);
    settle(relay);  // its keep-alive timer is armed
    var open = BreakerState.open(Instant.parse("2026-01-05T09:00:30Z"), 0, TripReason.CONSECUTIVE_FAULTS);
    manualTime.timePasses(KEEP_ALIVE);
    owner.expectMessageClass(ProviderBreaker.GetVersionedState.class).replyTo().tell(new VersionedState(open, 1));
    settle(relay);
    assertEquals(open, view.stateOf(scope.key()));

    view.publish(scope, BreakerState.halfOpen(0), 2);  // a newer state, replicated meanwhile
    manualTime.timePasses(KEEP_ALIVE);
    owner.expectMessageClass(ProviderBreaker.GetVersionedState.class).replyTo().tell(new VersionedState(open, 1));
    settle(relay);
    assertEquals(BreakerState.halfOpen(0), view.stateOf(scope.key()), "the older answer did not overwrite it");
  }

  /** Returns once the relay has handled everything told to it before. */
  private void settle(ActorRef<ProviderBreaker.Command> relay) {
    relay.tell(new ProviderBreaker.GetState(testKit.<BreakerState>createTestProbe().ref()));
    owner.expectMessageClass(ProviderBreaker.GetState.class);
  }
}
