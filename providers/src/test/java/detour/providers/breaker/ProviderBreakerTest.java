package detour.providers.breaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import com.typesafe.config.ConfigFactory;
import detour.persistence.breaker.BreakerEvent;
import detour.persistence.breaker.BreakerEvent.ProbingStarted;
import detour.persistence.breaker.BreakerEvent.RampAdvanced;
import detour.persistence.breaker.BreakerEvent.Recovered;
import detour.persistence.breaker.BreakerEvent.Tripped;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.Evidence;
import detour.persistence.breaker.FailureKind;
import detour.persistence.breaker.TripReason;
import detour.providers.breaker.BreakerState.Circuit;
import detour.providers.breaker.ProviderBreaker.AskForProbe;
import detour.providers.breaker.ProviderBreaker.Command;
import detour.providers.breaker.ProviderBreaker.GetState;
import detour.providers.breaker.ProviderBreaker.Phase;
import detour.providers.breaker.ProviderBreaker.ProbeAnswer;
import detour.providers.breaker.ProviderBreaker.ProbeGranted;
import detour.providers.breaker.ProviderBreaker.ProbeRefused;
import detour.providers.breaker.ProviderBreaker.RecordFailure;
import detour.providers.breaker.ProviderBreaker.RecordSuccess;
import detour.providers.breaker.ProviderBreaker.RecordSuccesses;
import detour.providers.model.ProviderFailure;
import detour.providers.testing.TestClock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ProviderBreakerTest {
  static final ActorTestKit testKit =
      ActorTestKit.create(ManualTime.config()
          // The journal's own call-timeout runs on the manual clock: moving it while a write is in
          // flight must not time the write out.
          .withFallback(ConfigFactory.parseString("akka.persistence.testkit.journal.circuit-breaker.call-timeout = 1h"))
          .withFallback(EventSourcedBehaviorTestKit.config()));
  static final ManualTime manualTime = ManualTime.get(testKit.system());
  /** Draws 0.5 every time: the jitter's middle, so each cooldown is exactly its nominal length. */
  static final RandomGenerator NO_JITTER = () -> Long.MIN_VALUE;

  final TestClock clock = TestClock.at("2026-01-05T09:00:00Z");
  final BreakerSettings settings = BreakerSettings.defaults();
  final BreakerScope scope = BreakerScope.model("sim-" + UUID.randomUUID(), "model-x");  // own journal stream
  final BreakerView view = BreakerView.detached();
  final EventSourcedBehaviorTestKit<Command, BreakerEvent, Phase> breaker = EventSourcedBehaviorTestKit.create(
      testKit.system(), ProviderBreaker.create(scope, settings, clock, view, NO_JITTER));

  @AfterAll
  static void shutDown() {
    testKit.shutdownTestKit();
  }

  @Test
  void shippedDefaultsAreTheDocumentedOnes() {
    assertEquals(5, settings.consecutiveFaults());
    assertEquals(Duration.ofSeconds(30), settings.cooldown());
    assertEquals(10, settings.minimumCalls());
    assertEquals(0.5, settings.failureRateThreshold());
    assertEquals(3, settings.halfOpenProbes());
    assertEquals(java.util.List.of(0.1, 0.5), settings.rampStages());
  }

  // ---- Triggers --------------------------------------------------------------------------------

  @Test
  void staysClosedOnFewerConsecutiveFaultsThanTheThreshold() {
    for (int i = 1; i < settings.consecutiveFaults(); i++) {
      assertTrue(breaker.runCommand(fault(FailureKind.SERVER_ERROR, 503)).hasNoEvents(), "fault " + i);
    }
    assertEquals(BreakerState.CLOSED, stateNow());
    assertEquals(BreakerState.CLOSED, view.stateOf(scope));
  }

  @Test
  void opensOnTheNthConsecutiveFaultWithItsEvidence() {
    failTimes(settings.consecutiveFaults() - 1);
    var result = breaker.runCommand(fault(FailureKind.OVERLOADED, 529));

    var until = clock.instant().plus(settings.cooldown());
    var evidence = new Evidence(TripReason.CONSECUTIVE_FAULTS, 5,
        Map.of(FailureKind.SERVER_ERROR, 4, FailureKind.OVERLOADED, 1), 0, 5, 0, 529, "upstream said 529",
        settings.cooldown(), Duration.ZERO);
    assertEquals(new Tripped(scope, clock.instant(), until, 0, evidence), result.event());
    assertEquals(new ProviderBreaker.Open(until, 0, TripReason.CONSECUTIVE_FAULTS), result.state());
    assertEquals(BreakerState.open(until, 0, TripReason.CONSECUTIVE_FAULTS), view.stateOf(scope));
  }

  @Test
  void noRateTripBelowTheMinimumNumberOfCalls() {
    // Alternating, so no run of faults forms: 5 faults in 9 calls is 56 %, but 9 < minimum-calls.
    for (int i = 0; i < 9; i++) {
      var outcome = i % 2 == 0 ? fault(FailureKind.SERVER_ERROR, 500) : new RecordSuccess(10, false);
      assertTrue(breaker.runCommand(outcome).hasNoEvents(), "call " + (i + 1));
    }
    assertEquals(Circuit.CLOSED, stateNow().circuit());
  }

  @Test
  void opensWhenTheFaultRateReachesTheThresholdOverTheMinimumCalls() {
    for (int i = 0; i < 9; i++) {
      breaker.runCommand(i % 2 == 0 ? fault(FailureKind.SERVER_ERROR, 500) : new RecordSuccess(10, false));
    }
    var tripped = (Tripped) breaker.runCommand(fault(FailureKind.SERVER_ERROR, 500)).event();
    assertEquals(TripReason.FAILURE_RATE, tripped.evidence().reason());
    assertEquals(10, tripped.evidence().windowCalls());
    assertEquals(Map.of(FailureKind.SERVER_ERROR, 6), tripped.evidence().faultsByKind());
  }

  @Test
  void slowCallsOpenTheCircuitEvenWhenEveryCallSucceeds() {
    long slow = settings.slowCallDuration().toMillis();
    for (int i = 0; i < settings.minimumCalls() - 1; i++) {
      assertTrue(breaker.runCommand(new RecordSuccess(slow, false)).hasNoEvents());
    }
    var tripped = (Tripped) breaker.runCommand(new RecordSuccess(slow + 1, false)).event();
    assertEquals(TripReason.SLOW_CALLS, tripped.evidence().reason());
    assertEquals(settings.minimumCalls(), tripped.evidence().slowCalls());
  }

  @Test
  void aNodesBatchOfSuccessesCountsLikeTheSameSuccessesOneByOne() {
    long slow = settings.slowCallDuration().toMillis();
    java.util.List<Long> batch = new java.util.ArrayList<>();
    for (int i = 0; i < settings.minimumCalls(); i++) batch.add(slow + 1);
    batch.add(5L);  // after the trip: began before it, counts no more

    var tripped = (Tripped) breaker.runCommand(new RecordSuccesses(batch)).event();
    assertEquals(TripReason.SLOW_CALLS, tripped.evidence().reason());
    assertEquals(settings.minimumCalls(), tripped.evidence().windowCalls());
    assertEquals(settings.minimumCalls(), tripped.evidence().slowCalls());
  }

  @Test
  void aBatchOfSuccessesWhileOpenChangesNothing() {
    trip();
    assertTrue(breaker.runCommand(new RecordSuccesses(java.util.List.of(5L, 6L, 7L))).hasNoEvents());
    assertEquals(Circuit.OPEN, stateNow().circuit());
  }

  @Test
  void publishesEachPhaseWithItsJournalSequenceNumber() {
    java.util.List<String> published = new java.util.ArrayList<>();
    BreakerPublisher recording = (s, state, version) -> {
      published.add(state.circuit() + "@" + version);
      return java.util.concurrent.CompletableFuture.completedFuture(akka.Done.getInstance());
    };
    var own = EventSourcedBehaviorTestKit.<Command, BreakerEvent, Phase>create(testKit.system(),
        ProviderBreaker.create(BreakerScope.model("sim-" + UUID.randomUUID(), "m"), settings, clock, recording, NO_JITTER));
    for (int i = 0; i < settings.consecutiveFaults(); i++) own.runCommand(fault(FailureKind.SERVER_ERROR, 503));
    own.restart();
    assertEquals(java.util.List.of("CLOSED@0", "OPEN@1", "OPEN@1"), published, "recovered, tripped, recovered again");
    var versioned = own.<VersionedState>runCommand(ProviderBreaker.GetVersionedState::new).reply();
    assertEquals(1, versioned.version());
    assertEquals(Circuit.OPEN, versioned.state().circuit());
  }

  @Test
  void anOperatorsOrderIsAnsweredOnlyOnceItsStateIsPublishedEverywhere() {
    var everywhere = new java.util.concurrent.CompletableFuture<akka.Done>();
    BreakerPublisher slow = (s, state, version) -> version == 0
        ? java.util.concurrent.CompletableFuture.completedFuture(akka.Done.getInstance())  // recovery
        : everywhere;
    var own = testKit.spawn(
        ProviderBreaker.create(BreakerScope.model("sim-" + UUID.randomUUID(), "m"), settings, clock, slow, NO_JITTER));
    var probe = testKit.<Object>createTestProbe();
    own.tell(new ProviderBreaker.Administer(ProviderBreaker.Action.DRAIN, Duration.ZERO, "ana", "maintenance",
        probe.ref().narrow()));
    own.tell(new ProviderBreaker.Describe(probe.ref().narrow()));
    // The breaker answered what was asked after the order: the order itself is still unanswered.
    assertEquals(BreakerState.DRAINED, probe.expectMessageClass(BreakerReport.class).state());
    everywhere.complete(akka.Done.getInstance());
    assertEquals(BreakerState.DRAINED, probe.expectMessageClass(BreakerState.class));
  }

  @Test
  void aProvidersBreakerLeavesSlowAnswersToItsModelsBreakers() {
    var provider = EventSourcedBehaviorTestKit.<Command, BreakerEvent, Phase>create(testKit.system(),
        ProviderBreaker.create(BreakerScope.provider("whole-" + UUID.randomUUID()), settings, clock, view, NO_JITTER));
    for (int i = 0; i < settings.windowSize(); i++) {
      assertTrue(provider.runCommand(new RecordSuccess(settings.slowCallDuration().toMillis() * 2, false)).hasNoEvents());
    }
  }

  @Test
  void aSingleRateLimitNeverOpensTheCircuit() {
    assertTrue(breaker.runCommand(rateLimited(Optional.of(Duration.ofSeconds(5)))).hasNoEvents());
    for (int i = 0; i < 20; i++) breaker.runCommand(new RecordSuccess(10, false));
    assertTrue(breaker.runCommand(rateLimited(Optional.empty())).hasNoEvents());
    assertEquals(Circuit.CLOSED, stateNow().circuit());
  }

  @Test
  void sustainedRateLimitsOpenItForAtLeastTheirRetryAfter() {
    for (int i = 1; i < settings.consecutiveRateLimits(); i++) {
      assertTrue(breaker.runCommand(rateLimited(Optional.of(Duration.ofSeconds(120)))).hasNoEvents(), "429 " + i);
    }
    var tripped = (Tripped) breaker.runCommand(rateLimited(Optional.empty())).event();

    assertEquals(TripReason.RATE_LIMITS, tripped.evidence().reason());
    assertEquals(settings.consecutiveRateLimits(), tripped.evidence().consecutiveRateLimits());
    assertEquals(Duration.ofSeconds(120), tripped.evidence().retryAfter());
    assertEquals(Duration.ofSeconds(120), tripped.evidence().cooldown(), "Retry-After is the cooldown's floor");
    assertEquals(clock.instant().plusSeconds(120), tripped.until());
  }

  @Test
  void aHighShareOfRateLimitsOpensItToo() {
    for (int i = 0; i < 9; i++) {
      breaker.runCommand(i % 2 == 0 ? rateLimited(Optional.empty()) : new RecordSuccess(10, false));
    }
    var tripped = (Tripped) breaker.runCommand(rateLimited(Optional.empty())).event();
    assertEquals(TripReason.RATE_LIMITS, tripped.evidence().reason());
  }

  @Test
  void clientErrorsAndCancelsNeverCountAgainstTheProvider() {
    for (int i = 0; i < settings.consecutiveFaults() * 3; i++) {
      for (FailureKind kind : new FailureKind[] {FailureKind.BAD_REQUEST, FailureKind.CONTEXT_TOO_LONG,
          FailureKind.CONTENT_POLICY, FailureKind.CANCELLED, FailureKind.DEADLINE, FailureKind.SHED}) {
        assertTrue(breaker.runCommand(fault(kind, 400)).hasNoEvents(), kind.name());
      }
    }
    assertEquals(BreakerState.CLOSED, stateNow());
  }

  @Test
  void clientErrorsDoNotBreakARunOfFaultsEither() {
    failTimes(settings.consecutiveFaults() - 1);
    breaker.runCommand(fault(FailureKind.BAD_REQUEST, 400));
    assertInstanceOf(Tripped.class, breaker.runCommand(fault(FailureKind.SERVER_ERROR, 500)).event());
  }

  // ---- Open and half-open --------------------------------------------------------------------

  @Test
  void refusesProbesWhileOpenAndGoesHalfOpenWhenTheCooldownEnds() {
    trip();
    assertInstanceOf(ProbeRefused.class, askForProbe().reply());

    timePasses(settings.cooldown().minusMillis(1));
    assertEquals(Circuit.OPEN, stateNow().circuit());

    timePasses(Duration.ofMillis(1));
    assertEquals(BreakerState.halfOpen(0), stateNow());
    assertEquals(BreakerState.halfOpen(0), view.stateOf(scope));
    assertEquals(new ProbingStarted(scope, clock.instant(), settings.halfOpenProbes()), lastEvent());
  }

  @Test
  void halfOpenGrantsOneProbeAtATime() {
    tripAndCoolDown();
    assertInstanceOf(ProbeGranted.class, askForProbe().reply());
    assertInstanceOf(ProbeRefused.class, askForProbe().reply());
    assertInstanceOf(ProbeRefused.class, askForProbe().reply());
  }

  @Test
  void amongManyConcurrentRequestsExactlyOneGetsTheProbePermit() throws Exception {
    tripAndCoolDown();
    // A live actor, asked from many threads at once; it recovers the half-open phase from the same
    // journal stream and only hands out permits, so it writes nothing.
    var live = testKit.spawn(ProviderBreaker.create(scope, settings, clock, BreakerView.detached(), NO_JITTER));
    var answers = new java.util.concurrent.ConcurrentLinkedQueue<ProbeAnswer>();
    var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      var asks = new java.util.ArrayList<java.util.concurrent.Future<?>>();
      for (int i = 0; i < 64; i++) {
        asks.add(pool.submit(() -> answers.add(akka.actor.typed.javadsl.AskPattern.<Command, ProbeAnswer>ask(
            live, AskForProbe::new, Duration.ofSeconds(10), testKit.scheduler()).toCompletableFuture().join())));
      }
      for (var ask : asks) ask.get(20, java.util.concurrent.TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    assertEquals(64, answers.size());
    assertEquals(1, answers.stream().filter(ProbeGranted.class::isInstance).count(), "one permit at a time");
  }

  @Test
  void needsEveryProbeToSucceedInARowBeforeTrafficRamps() {
    tripAndCoolDown();
    for (int i = 1; i < settings.halfOpenProbes(); i++) {
      askForProbe();
      assertTrue(breaker.runCommand(new RecordSuccess(12, true)).hasNoEvents(), "probe " + i);
      assertEquals(Circuit.HALF_OPEN, stateNow().circuit());
    }
    askForProbe();
    var result = breaker.runCommand(new RecordSuccess(12, true));
    var until = clock.instant().plus(settings.rampStageDuration());
    assertEquals(new RampAdvanced(scope, clock.instant(), 0, 0.1, until), result.event());
    assertEquals(BreakerState.recovering(0.1, until, 0), view.stateOf(scope));
  }

  @Test
  void reopensWhenAProbeFailsWithADoubledCooldown() {
    tripAndCoolDown();
    askForProbe();
    breaker.runCommand(new RecordSuccess(12, true));
    askForProbe();
    var result = breaker.runCommand(
        new RecordFailure(ProviderFailure.of(FailureKind.TOTAL_TIMEOUT, 0, "no answer"), true));

    var tripped = (Tripped) result.event();
    assertEquals(TripReason.PROBE_FAILED, tripped.evidence().reason());
    assertEquals(1, tripped.reopens());
    assertEquals(settings.cooldown().multipliedBy(2), tripped.evidence().cooldown());
    assertEquals(BreakerState.open(tripped.until(), 1, TripReason.PROBE_FAILED), view.stateOf(scope));

    timePasses(settings.cooldown().multipliedBy(2));
    assertEquals(BreakerState.halfOpen(1), stateNow());
    assertInstanceOf(ProbeGranted.class, askForProbe().reply(), "the failed probe's permit is not held over");
  }

  @Test
  void aProbeThatFailsForTheOtherCircuitsReasonProvesNothingHere() {
    tripAndCoolDown();
    askForProbe();
    // A refused connection is the provider's fault, not this model's: the permit is freed, no verdict.
    var result = breaker.runCommand(
        new RecordFailure(ProviderFailure.of(FailureKind.CONNECT_REFUSED, 0, "refused"), true));
    assertTrue(result.hasNoEvents());
    assertInstanceOf(ProbeGranted.class, askForProbe().reply());
  }

  @Test
  void lateOutcomesOfCallsBegunBeforeTheTripChangeNothing() {
    trip();
    assertTrue(breaker.runCommand(new RecordSuccess(5, false)).hasNoEvents());
    timePasses(settings.cooldown());
    // Not probes: a slow call from before the trip must neither close nor re-open the circuit.
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

  // ---- Recovering ------------------------------------------------------------------------------

  @Test
  void rampsThroughEachStageAndClosesOnlyAfterTheLast() {
    tripAndPassProbes();
    timePasses(settings.rampStageDuration().minusMillis(1));
    assertEquals(0.1, stateNow().share());
    timePasses(Duration.ofMillis(1));
    assertEquals(BreakerState.recovering(0.5, clock.instant().plus(settings.rampStageDuration()), 0), stateNow());
    timePasses(settings.rampStageDuration());
    assertEquals(BreakerState.CLOSED, stateNow());
    assertEquals(new Recovered(scope, clock.instant()), lastEvent());
  }

  @Test
  void aFailingRampReopensAtOnceWithAGrownCooldown() {
    tripAndPassProbes();
    breaker.runCommand(new RecordSuccess(10, false));
    breaker.runCommand(fault(FailureKind.SERVER_ERROR, 500));
    var tripped = (Tripped) breaker.runCommand(fault(FailureKind.SERVER_ERROR, 500)).event();

    assertEquals(TripReason.RAMP_FAILED, tripped.evidence().reason());
    assertEquals(1, tripped.reopens());
    assertEquals(settings.cooldown().multipliedBy(2), tripped.evidence().cooldown());
  }

  @Test
  void closesStraightAfterTheProbesWhenNoRampIsConfigured() {
    var noRamp = settings.with(ConfigFactory.parseString("ramp-stages = [], half-open-probes = 1"));
    var quick = EventSourcedBehaviorTestKit.<Command, BreakerEvent, Phase>create(testKit.system(),
        ProviderBreaker.create(BreakerScope.provider("quick-" + UUID.randomUUID()), noRamp, clock, view, NO_JITTER));
    for (int i = 0; i < noRamp.consecutiveFaults(); i++) quick.runCommand(fault(FailureKind.SERVER_ERROR, 500));
    quick.<BreakerState>runCommand(GetState::new);
    clock.advance(noRamp.cooldown());
    manualTime.timePasses(noRamp.cooldown());
    quick.<BreakerState>runCommand(GetState::new);
    quick.<ProbeAnswer>runCommand(AskForProbe::new);
    assertInstanceOf(Recovered.class, quick.runCommand(new RecordSuccess(3, true)).event());
  }

  // ---- Active probing ---------------------------------------------------------------------------

  @Test
  void withActiveProbingTheBreakerProbesByItselfAndRampsWithoutRealTraffic() {
    var probes = new java.util.concurrent.atomic.AtomicInteger();
    var active = activeBreaker(() -> {
      probes.incrementAndGet();
      return java.util.concurrent.CompletableFuture.completedFuture(answered());
    });
    tripAndCoolDown(active, activeSettings());
    // The first probe goes at once, the next two each after the interval.
    stateOf(active);
    timePasses(active, activeSettings().activeProbeInterval());
    timePasses(active, activeSettings().activeProbeInterval());
    assertEquals(3, probes.get());
    assertEquals(Circuit.RECOVERING, stateOf(active).circuit());
  }

  @Test
  void realRequestsDoNotProbeWhileTheBreakerProbesByItself() {
    var active = activeBreaker(() -> new java.util.concurrent.CompletableFuture<>());  // never answers
    tripAndCoolDown(active, activeSettings());
    assertInstanceOf(ProbeRefused.class, active.<ProbeAnswer>runCommand(AskForProbe::new).reply());
  }

  @Test
  void aFailedActiveProbeReopensTheCircuit() {
    var active = activeBreaker(() -> java.util.concurrent.CompletableFuture.completedFuture(
        new detour.providers.model.CallResult.Failed(ProviderFailure.of(FailureKind.SERVER_ERROR, 500, "still down"))));
    tripAndCoolDown(active, activeSettings());
    var state = stateOf(active);
    assertEquals(Circuit.OPEN, state.circuit());
    assertEquals(1, state.reopens());
  }

  private BreakerSettings activeSettings() {
    return settings.with(ConfigFactory.parseString("active-probe.enabled = on"));
  }

  private EventSourcedBehaviorTestKit<Command, BreakerEvent, Phase> activeBreaker(Prober prober) {
    return EventSourcedBehaviorTestKit.create(testKit.system(), ProviderBreaker.create(
        BreakerScope.model("active-" + UUID.randomUUID(), "model-x"), activeSettings(), clock, view, NO_JITTER,
        Optional.of(prober)));
  }

  private void tripAndCoolDown(EventSourcedBehaviorTestKit<Command, BreakerEvent, Phase> other, BreakerSettings s) {
    for (int i = 0; i < s.consecutiveFaults(); i++) other.runCommand(fault(FailureKind.SERVER_ERROR, 503));
    timePasses(other, s.cooldown());
  }

  private static BreakerState stateOf(EventSourcedBehaviorTestKit<Command, BreakerEvent, Phase> other) {
    return other.<BreakerState>runCommand(GetState::new).reply();
  }

  private void timePasses(EventSourcedBehaviorTestKit<Command, BreakerEvent, Phase> other, Duration d) {
    stateOf(other);
    clock.advance(d);
    manualTime.timePasses(d);
    stateOf(other);
  }

  private static detour.providers.model.CallResult answered() {
    var body = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
    body.putArray("choices");
    return new detour.providers.model.CallResult.Answered(
        new detour.providers.model.ChatResponse(body, detour.providers.model.Usage.none()));
  }

  // ---- Operators' overrides ------------------------------------------------------------------

  @Test
  void anOperatorCanForceItOpenForAWhileThenItProbesAsUsual() {
    var state = administer(ProviderBreaker.Action.FORCE_OPEN, Duration.ofMinutes(10));
    var until = clock.instant().plus(Duration.ofMinutes(10));
    assertEquals(BreakerState.open(until, 0, null), state);
    assertEquals(new BreakerEvent.ForcedOpen(scope, clock.instant(), until, "ana", "provider maintenance"), lastEvent());

    timePasses(Duration.ofMinutes(10));
    assertEquals(Circuit.HALF_OPEN, stateNow().circuit());
  }

  @Test
  void aPinnedClosedCircuitCountsFaultsButNeverOpens() {
    administer(ProviderBreaker.Action.FORCE_CLOSED, Duration.ZERO);
    assertEquals(new BreakerEvent.ForcedClosed(scope, clock.instant(), "ana", "provider maintenance"), lastEvent());
    for (int i = 0; i < 50; i++) {
      assertTrue(breaker.runCommand(fault(FailureKind.SERVER_ERROR, 500)).hasNoEvents());
    }
    assertEquals(BreakerState.CLOSED, stateNow());
    var report = breaker.<BreakerReport>runCommand(ProviderBreaker.Describe::new).reply();
    assertEquals(50, report.window().faults());
    assertEquals(Optional.of("forced closed by ana: provider maintenance"), report.override());
  }

  @Test
  void aDrainedProviderGetsNoTrafficAndNoProbesUntilReset() {
    trip();
    assertEquals(BreakerState.DRAINED, administer(ProviderBreaker.Action.DRAIN, Duration.ZERO));
    timePasses(settings.maxCooldown());
    assertEquals(BreakerState.DRAINED, stateNow(), "no cooldown ends a drain");
    assertInstanceOf(ProbeRefused.class, askForProbe().reply());

    assertEquals(BreakerState.CLOSED, administer(ProviderBreaker.Action.RESET, Duration.ZERO));
    assertEquals(new BreakerEvent.Reset(scope, clock.instant(), "ana", "provider maintenance"), lastEvent());
  }

  @Test
  void aResetClosesAnOpenCircuitWithNothingCounted() {
    trip();
    administer(ProviderBreaker.Action.RESET, Duration.ZERO);
    failTimes(settings.consecutiveFaults() - 1);
    assertEquals(BreakerState.CLOSED, stateNow());
  }

  @Test
  void overridesSurviveARestart() {
    administer(ProviderBreaker.Action.DRAIN, Duration.ZERO);
    assertEquals(new ProviderBreaker.OutOfRotation("ana", "provider maintenance"), breaker.restart().state());
    administer(ProviderBreaker.Action.FORCE_CLOSED, Duration.ZERO);
    assertEquals(new ProviderBreaker.PinnedClosed("ana", "provider maintenance"), breaker.restart().state());
  }

  @Test
  void describeShowsTheWindowAndTheLastTripsEvidence() {
    trip();
    var report = breaker.<BreakerReport>runCommand(ProviderBreaker.Describe::new).reply();
    assertEquals(scope, report.scope());
    assertEquals(Circuit.OPEN, report.state().circuit());
    assertEquals(TripReason.CONSECUTIVE_FAULTS, report.lastTrip().orElseThrow().evidence().reason());
  }

  @Test
  void aTripTheJournalNeverTookIsNotReportedAsTheLastTrip() {
    var own = testKit.spawn(ProviderBreaker.create(
        BreakerScope.model("sim-" + UUID.randomUUID(), "m"), settings, clock, view, NO_JITTER));
    var reports = testKit.<BreakerReport>createTestProbe();
    own.tell(new ProviderBreaker.Describe(reports.ref()));  // recovered: the journal is reached
    reports.receiveMessage();
    breaker.persistenceTestKit().failNextPersisted();
    for (int i = 0; i < settings.consecutiveFaults(); i++) own.tell(fault(FailureKind.SERVER_ERROR, 503));
    own.tell(new ProviderBreaker.Describe(reports.ref()));  // answered once restarted
    // The write failed: the breaker restarts after its backoff, once the failure has armed it.
    var report = reports.awaitAssert(() -> {
      manualTime.timePasses(ProviderBreaker.MAX_BACKOFF);
      return reports.receiveMessage(Duration.ofMillis(100));
    });
    assertEquals(Circuit.CLOSED, report.state().circuit());
    assertEquals(Optional.empty(), report.lastTrip());
  }

  // ---- Restarts --------------------------------------------------------------------------------

  @Test
  void staysOpenAfterARestartUntilItsOriginalDeadline() {
    trip();
    var until = clock.instant().plus(settings.cooldown());
    timePasses(Duration.ofSeconds(10));

    var restarted = breaker.restart();
    assertEquals(new ProviderBreaker.Open(until, 0, TripReason.CONSECUTIVE_FAULTS), restarted.state());
    assertEquals(BreakerState.open(until, 0, TripReason.CONSECUTIVE_FAULTS), view.stateOf(scope));

    timePasses(Duration.ofSeconds(20).minusMillis(1));
    assertEquals(Circuit.OPEN, stateNow().circuit());
    timePasses(Duration.ofMillis(1));
    assertEquals(Circuit.HALF_OPEN, stateNow().circuit());
  }

  @Test
  void probesAtOnceWhenRestartedAfterItsDeadlinePassed() {
    trip();
    timePasses(Duration.ofSeconds(5));
    clock.advance(settings.cooldown());  // the node was down past the deadline
    breaker.restart();
    manualTime.timePasses(Duration.ZERO);
    assertEquals(Circuit.HALF_OPEN, stateNow().circuit());
  }

  @Test
  void aHalfOpenCircuitIsHalfOpenAfterARestartAndProbesAgain() {
    tripAndCoolDown();
    askForProbe();
    breaker.runCommand(new RecordSuccess(5, true));
    assertEquals(new ProviderBreaker.HalfOpen(0, settings.halfOpenProbes()), breaker.restart().state());
    assertInstanceOf(ProbeGranted.class, askForProbe().reply(), "a probe out before the restart is not held");
  }

  @Test
  void aRampResumesAfterARestartWithItsStageAndDeadline() {
    tripAndPassProbes();
    var stage = stateNow();
    timePasses(Duration.ofSeconds(4));
    breaker.restart();
    assertEquals(stage, stateNow());
    timePasses(settings.rampStageDuration().minusSeconds(4));
    assertEquals(0.5, stateNow().share());
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static RecordFailure fault(FailureKind kind, int status) {
    return new RecordFailure(ProviderFailure.of(kind, status, "upstream said " + status), false);
  }

  private static RecordFailure rateLimited(Optional<Duration> retryAfter) {
    return new RecordFailure(new ProviderFailure(FailureKind.RATE_LIMITED, 429, "slow down", "", retryAfter), false);
  }

  private void failTimes(int n) {
    for (int i = 0; i < n; i++) breaker.runCommand(fault(FailureKind.SERVER_ERROR, 503));
  }

  private void trip() {
    failTimes(settings.consecutiveFaults());
    assertEquals(Circuit.OPEN, stateNow().circuit());
  }

  private void tripAndCoolDown() {
    trip();
    timePasses(settings.cooldown());
    assertEquals(Circuit.HALF_OPEN, stateNow().circuit());
  }

  private void tripAndPassProbes() {
    tripAndCoolDown();
    for (int i = 0; i < settings.halfOpenProbes(); i++) {
      askForProbe();
      breaker.runCommand(new RecordSuccess(12, true));
    }
    assertEquals(Circuit.RECOVERING, stateNow().circuit());
  }

  private BreakerState administer(ProviderBreaker.Action action, Duration duration) {
    return breaker.<BreakerState>runCommand(
        replyTo -> new ProviderBreaker.Administer(action, duration, "ana", "provider maintenance", replyTo)).reply();
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
