package detour.providers.breaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import detour.persistence.breaker.BreakerEvent;
import detour.persistence.breaker.BreakerEvent.ProbingStarted;
import detour.persistence.breaker.BreakerEvent.Recovered;
import detour.persistence.breaker.BreakerEvent.Tripped;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.Evidence;
import detour.persistence.breaker.FailureKind;
import detour.providers.breaker.ProviderBreaker.AskForProbe;
import detour.providers.breaker.ProviderBreaker.Command;
import detour.providers.breaker.ProviderBreaker.GetState;
import detour.providers.breaker.ProviderBreaker.Phase;
import detour.providers.breaker.ProviderBreaker.ProbeAnswer;
import detour.providers.breaker.ProviderBreaker.ProbeGranted;
import detour.providers.breaker.ProviderBreaker.ProbeRefused;
import detour.providers.breaker.ProviderBreaker.RecordFailure;
import detour.providers.breaker.ProviderBreaker.RecordSuccess;
import detour.providers.model.ProviderFailure;
import detour.providers.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ProviderBreakerTest {
  static final ActorTestKit testKit =
      ActorTestKit.create(ManualTime.config().withFallback(EventSourcedBehaviorTestKit.config()));
  static final ManualTime manualTime = ManualTime.get(testKit.system());

  final TestClock clock = TestClock.at("2026-01-05T09:00:00Z");
  final BreakerSettings settings = BreakerSettings.defaults();
  final BreakerScope scope = BreakerScope.provider("sim-" + UUID.randomUUID());  // its own journal stream
  final BreakerView view = BreakerView.detached();
  final EventSourcedBehaviorTestKit<Command, BreakerEvent, Phase> breaker = EventSourcedBehaviorTestKit.create(
      testKit.system(), ProviderBreaker.create(scope, settings, clock, view));

  @AfterAll
  static void shutDown() {
    testKit.shutdownTestKit();
  }

  @Test
  void shippedDefaultsOpenAfterFiveFaultsForThirtySeconds() {
    assertEquals(5, settings.consecutiveFaults());
    assertEquals(Duration.ofSeconds(30), settings.cooldown());
  }

  @Test
  void staysClosedOnFewerFaultsThanTheThreshold() {
    for (int i = 1; i < settings.consecutiveFaults(); i++) {
      var result = breaker.runCommand(fault(FailureKind.SERVER_ERROR, 503));
      assertTrue(result.hasNoEvents(), "fault " + i + " must not be journaled");
    }
    assertEquals(BreakerState.CLOSED, stateNow());
    assertEquals(BreakerState.CLOSED, view.stateOf(scope.key()));
  }

  @Test
  void opensOnTheNthConsecutiveFaultWithItsEvidence() {
    failTimes(settings.consecutiveFaults() - 1);
    var result = breaker.runCommand(fault(FailureKind.OVERLOADED, 529));

    var until = clock.instant().plus(settings.cooldown());
    var evidence = new Evidence(5, Map.of(FailureKind.SERVER_ERROR, 4, FailureKind.OVERLOADED, 1), 529,
        "upstream said 529");
    assertEquals(new Tripped(scope, clock.instant(), until, 0, evidence), result.event());
    assertEquals(new ProviderBreaker.Open(until, 0), result.state());
    assertEquals(BreakerState.open(until, 0), view.stateOf(scope.key()));
  }

  @Test
  void aSuccessBetweenFaultsStartsTheCountAgain() {
    failTimes(settings.consecutiveFaults() - 1);
    breaker.runCommand(new RecordSuccess(12, false));
    failTimes(settings.consecutiveFaults() - 1);
    assertEquals(BreakerState.CLOSED, stateNow());
  }

  @Test
  void clientErrorsNeverCountAgainstTheProvider() {
    for (int i = 0; i < settings.consecutiveFaults() * 3; i++) {
      assertTrue(breaker.runCommand(fault(FailureKind.BAD_REQUEST, 400)).hasNoEvents());
      assertTrue(breaker.runCommand(fault(FailureKind.CONTEXT_TOO_LONG, 400)).hasNoEvents());
      assertTrue(breaker.runCommand(fault(FailureKind.CANCELLED, 0)).hasNoEvents());
      assertTrue(breaker.runCommand(fault(FailureKind.SHED, 0)).hasNoEvents());
    }
    assertEquals(BreakerState.CLOSED, stateNow());
  }

  @Test
  void clientErrorsDoNotBreakARunOfFaultsEither() {
    failTimes(settings.consecutiveFaults() - 1);
    breaker.runCommand(fault(FailureKind.BAD_REQUEST, 400));
    var result = breaker.runCommand(fault(FailureKind.SERVER_ERROR, 500));
    assertInstanceOf(Tripped.class, result.event());
  }

  @Test
  void refusesProbesWhileOpenAndGoesHalfOpenWhenTheCooldownEnds() {
    trip();
    assertInstanceOf(ProbeRefused.class, askForProbe().reply());

    timePasses(settings.cooldown().minusMillis(1));
    assertEquals(BreakerState.Circuit.OPEN, stateNow().circuit());

    timePasses(Duration.ofMillis(1));
    assertEquals(BreakerState.halfOpen(0), stateNow());
    assertEquals(BreakerState.halfOpen(0), view.stateOf(scope.key()));
    assertEquals(new ProbingStarted(scope, clock.instant(), 1), lastEvent());
  }

  @Test
  void halfOpenGrantsOneProbeAtATime() {
    tripAndCoolDown();
    assertInstanceOf(ProbeGranted.class, askForProbe().reply());
    assertInstanceOf(ProbeRefused.class, askForProbe().reply());
    assertInstanceOf(ProbeRefused.class, askForProbe().reply());
  }

  @Test
  void closesWhenTheProbeSucceeds() {
    tripAndCoolDown();
    askForProbe();
    var result = breaker.runCommand(new RecordSuccess(42, true));

    assertEquals(new Recovered(scope, clock.instant(), 42), result.event());
    assertEquals(BreakerState.CLOSED, view.stateOf(scope.key()));
    // A fresh count: it takes the full threshold again to trip.
    failTimes(settings.consecutiveFaults() - 1);
    assertEquals(BreakerState.CLOSED, stateNow());
  }

  @Test
  void reopensWhenTheProbeFailsAndCoolsDownAgain() {
    tripAndCoolDown();
    askForProbe();
    var result = breaker.runCommand(new RecordFailure(ProviderFailure.of(FailureKind.TIMEOUT, 0, "no answer"), true));

    var until = clock.instant().plus(settings.cooldown());
    assertEquals(new Tripped(scope, clock.instant(), until, 1,
        new Evidence(1, Map.of(FailureKind.TIMEOUT, 1), 0, "no answer")), result.event());
    assertEquals(BreakerState.open(until, 1), view.stateOf(scope.key()));

    timePasses(settings.cooldown());
    assertEquals(BreakerState.halfOpen(1), stateNow());
    assertInstanceOf(ProbeGranted.class, askForProbe().reply(), "the failed probe's permit is not held over");
  }

  @Test
  void lateOutcomesOfCallsBegunBeforeTheTripChangeNothing() {
    trip();
    assertTrue(breaker.runCommand(new RecordSuccess(5, false)).hasNoEvents());
    timePasses(settings.cooldown());
    // Not a probe: a slow call from before the trip must not close the circuit.
    assertTrue(breaker.runCommand(new RecordSuccess(5, false)).hasNoEvents());
    assertTrue(breaker.runCommand(fault(FailureKind.SERVER_ERROR, 500)).hasNoEvents());
    assertEquals(BreakerState.halfOpen(0), stateNow());
  }

  @Test
  void aProbeThatEndsInAClientErrorFreesThePermitWithoutAVerdict() {
    tripAndCoolDown();
    askForProbe();
    var result = breaker.runCommand(new RecordFailure(ProviderFailure.of(FailureKind.BAD_REQUEST, 400, "bad"), true));
    assertTrue(result.hasNoEvents());
    assertInstanceOf(ProbeGranted.class, askForProbe().reply());
  }

  @Test
  void aProbeThatNeverReportsBackIsReclaimedAfterItsLease() {
    tripAndCoolDown();
    askForProbe();
    timePasses(settings.probeLease().minusMillis(1));
    assertInstanceOf(ProbeRefused.class, askForProbe().reply());
    timePasses(Duration.ofMillis(1));
    assertInstanceOf(ProbeGranted.class, askForProbe().reply());
  }

  @Test
  void staysOpenAfterARestartUntilItsOriginalDeadline() {
    trip();
    var until = clock.instant().plus(settings.cooldown());
    timePasses(Duration.ofSeconds(10));

    var restarted = breaker.restart();
    assertEquals(new ProviderBreaker.Open(until, 0), restarted.state());
    assertEquals(BreakerState.open(until, 0), view.stateOf(scope.key()));

    timePasses(Duration.ofSeconds(20).minusMillis(1));
    assertEquals(BreakerState.Circuit.OPEN, stateNow().circuit());
    timePasses(Duration.ofMillis(1));
    assertEquals(BreakerState.Circuit.HALF_OPEN, stateNow().circuit());
  }

  @Test
  void probesAtOnceWhenRestartedAfterItsDeadlinePassed() {
    trip();
    timePasses(Duration.ofSeconds(5));
    clock.advance(settings.cooldown());  // the node was down past the deadline
    breaker.restart();
    manualTime.timePasses(Duration.ZERO);
    assertEquals(BreakerState.Circuit.HALF_OPEN, stateNow().circuit());
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static RecordFailure fault(FailureKind kind, int status) {
    return new RecordFailure(ProviderFailure.of(kind, status, "upstream said " + status), false);
  }

  private void failTimes(int n) {
    for (int i = 0; i < n; i++) breaker.runCommand(fault(FailureKind.SERVER_ERROR, 503));
  }

  private void trip() {
    failTimes(settings.consecutiveFaults());
    assertEquals(BreakerState.Circuit.OPEN, stateNow().circuit());
  }

  private void tripAndCoolDown() {
    trip();
    timePasses(settings.cooldown());
    assertEquals(BreakerState.Circuit.HALF_OPEN, stateNow().circuit());
  }

  private CommandResultWithReply<Command, BreakerEvent, Phase, ProbeAnswer> askForProbe() {
    return breaker.runCommand(AskForProbe::new);
  }

  private BreakerState stateNow() {
    return breaker.<BreakerState>runCommand(GetState::new).reply();
  }

  private BreakerEvent lastEvent() {
    var events = breaker.persistenceTestKit().persistedInStorage(ProviderBreaker.persistenceId(scope).id());
    return (BreakerEvent) events.get(events.size() - 1);
  }

  /**
   * Moves the breaker's clock and its timers together. Asks before, so the timer is surely armed,
   * and after, so that whatever the timer made the breaker journal is done before the next step.
   */
  private void timePasses(Duration d) {
    stateNow();
    clock.advance(d);
    manualTime.timePasses(d);
    stateNow();
  }
}
