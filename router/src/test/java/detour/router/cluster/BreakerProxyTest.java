package detour.router.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.FishingOutcomes;
import akka.actor.testkit.typed.javadsl.ManualTime;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.FailureKind;
import detour.persistence.breaker.TripReason;
import com.typesafe.config.ConfigFactory;
import detour.providers.breaker.BreakerSettings;
import detour.providers.breaker.BreakerState;
import detour.providers.breaker.BreakerView;
import detour.providers.breaker.ProviderBreaker;
import detour.providers.breaker.ProviderBreaker.AskForProbe;
import detour.providers.breaker.ProviderBreaker.GetVersionedState;
import detour.providers.breaker.ProviderBreaker.ProbeAnswer;
import detour.providers.breaker.ProviderBreaker.ProbeGranted;
import detour.providers.breaker.ProviderBreaker.ProbeRefused;
import detour.providers.breaker.ProviderBreaker.RecordFailure;
import detour.providers.breaker.ProviderBreaker.RecordSuccess;
import detour.providers.breaker.ProviderBreaker.RecordSuccesses;
import detour.providers.breaker.VersionedState;
import detour.providers.model.ProviderFailure;
import detour.providers.testing.TestClock;
import detour.router.config.ClusterSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** This node's stand-in for a breaker, between the coordinators and the breaker's owner (a test probe). */
class BreakerProxyTest {
  static final ActorTestKit testKit = ActorTestKit.create(ManualTime.config());
  static final ManualTime manualTime = ManualTime.get(testKit.system());
  static final Duration REPORT = Duration.ofMillis(100);
  static final Duration KEEP_ALIVE = Duration.ofSeconds(1);
  static final Duration OWNER_SILENCE = Duration.ofSeconds(3);
  static final Duration PERMIT_TIMEOUT = Duration.ofMillis(500);
  static final RecordFailure FAULT =
      new RecordFailure(ProviderFailure.of(FailureKind.SERVER_ERROR, 503, "down"), false);
  /** The shipped rules without the cooldown's jitter: 5 faults in a row open for 30 s, then 60 s. */
  static final BreakerSettings BREAKER = BreakerSettings.defaults().with(ConfigFactory.parseString("cooldown-jitter = 0"));

  final BreakerScope scope = BreakerScope.model("openai", "gpt-4o-mini");
  final BreakerView view = new BreakerView();
  final TestProbe<ProviderBreaker.Command> owner = testKit.createTestProbe();
  final TestClock clock = TestClock.at("2026-01-05T09:00:00Z");

  @AfterAll
  static void shutDown() {
    testKit.shutdownTestKit();
  }

  private ActorRef<ProviderBreaker.Command> proxy(ClusterSettings.Formation formation) {
    var settings = new ClusterSettings(formation, REPORT, KEEP_ALIVE, Duration.ofSeconds(1), OWNER_SILENCE,
        PERMIT_TIMEOUT);
    return testKit.spawn(BreakerProxy.create(scope, owner.ref(), view, settings, BREAKER, clock));
  }

  @Test
  void successesReachTheOwnerAsOneReportPerIntervalNotOneMessageEach() {
    var proxy = proxy(ClusterSettings.Formation.OFF);
    settle(proxy);
    for (long latency = 1; latency <= 50; latency++) proxy.tell(new RecordSuccess(latency, false));
    manualTime.expectNoMessageFor(REPORT.minusMillis(1), owner);
    manualTime.timePasses(Duration.ofMillis(1));
    var report = owner.expectMessageClass(RecordSuccesses.class);
    assertEquals(50, report.latencyMillis().size());
    assertEquals(List.of(1L, 2L, 3L), report.latencyMillis().subList(0, 3), "in the order they happened");
    manualTime.expectNoMessageFor(REPORT.multipliedBy(3), owner);  // nothing more to report, nothing sent
  }

  @Test
  void aFailureGoesAtOnceRightAfterTheSuccessesCountedBeforeIt() {
    var proxy = proxy(ClusterSettings.Formation.OFF);
    proxy.tell(new RecordSuccess(7, false));
    proxy.tell(new RecordSuccess(8, false));
    var failure = new RecordFailure(ProviderFailure.of(FailureKind.SERVER_ERROR, 503, "down"), false);
    proxy.tell(failure);
    assertEquals(new RecordSuccesses(List.of(7L, 8L)), owner.receiveMessage());
    assertEquals(failure, owner.receiveMessage());
    manualTime.expectNoMessageFor(REPORT.multipliedBy(2), owner);  // each success was sent once
  }

  @Test
  void aProbesOutcomeAndAProbePermitAreNeverHeldBack() {
    var proxy = proxy(ClusterSettings.Formation.OFF);
    proxy.tell(new RecordSuccess(9, true));
    assertEquals(new RecordSuccess(9, true), owner.receiveMessage());
    var asker = testKit.<ProviderBreaker.ProbeAnswer>createTestProbe();
    proxy.tell(new ProviderBreaker.AskForProbe(asker.ref()));
    assertEquals(new ProviderBreaker.AskForProbe(asker.ref()), owner.receiveMessage());
  }

  @Test
  void aBurstBeyondTheBatchLimitIsReportedWithoutWaiting() {
    var proxy = proxy(ClusterSettings.Formation.OFF);
    for (int i = 0; i < BreakerProxy.MAX_BATCH; i++) proxy.tell(new RecordSuccess(1, false));
    assertEquals(BreakerProxy.MAX_BATCH, owner.expectMessageClass(RecordSuccesses.class).latencyMillis().size());
  }

  @Test
  void inAClusterItAsksTheOwnerForItsStateEverySecondAndKeepsTheNewestInTheView() {
    var proxy = proxy(ClusterSettings.Formation.SELF);
    settle(proxy);  // its keep-alive timer is armed
    var open = BreakerState.open(Instant.parse("2026-01-05T09:00:30Z"), 0, TripReason.CONSECUTIVE_FAULTS);
    manualTime.timePasses(KEEP_ALIVE);
    owner.expectMessageClass(ProviderBreaker.GetVersionedState.class).replyTo().tell(new VersionedState(open, 1));
    settle(proxy);
    assertEquals(open, view.stateOf(scope));

    view.publish(scope, BreakerState.halfOpen(0), 2);  // a newer state, replicated meanwhile
    manualTime.timePasses(KEEP_ALIVE);
    owner.expectMessageClass(ProviderBreaker.GetVersionedState.class).replyTo().tell(new VersionedState(open, 1));
    settle(proxy);
    assertEquals(BreakerState.halfOpen(0), view.stateOf(scope), "the older answer did not overwrite it");
  }

  @Test
  void whenTheOwnerIsSilentPastTheLimitThisNodesOwnFaultsHoldTheCircuitOpenHereAlone() {
    var proxy = silentOwner();
    for (int i = 0; i < BREAKER.consecutiveFaults(); i++) proxy.tell(FAULT);
    var toOwner = settle(proxy);
    var held = BreakerState.open(clock.instant().plus(BREAKER.cooldown()), 0, TripReason.CONSECUTIVE_FAULTS);
    assertEquals(held, view.stateOf(scope));
    assertEquals(Map.of(scope, held), view.localHolds());
    assertEquals(BreakerState.CLOSED, view.publishedStateOf(scope), "the cluster's state stays underneath");
    assertEquals(BREAKER.consecutiveFaults(), toOwner.stream().filter(FAULT::equals).count(),
        "every failure still goes to the owner, once");
  }

  @Test
  void fewerFaultsThanTheRulesAskForHoldNothing() {
    var proxy = silentOwner();
    for (int i = 1; i < BREAKER.consecutiveFaults(); i++) proxy.tell(FAULT);
    settle(proxy);
    assertEquals(BreakerState.CLOSED, view.stateOf(scope));
  }

  @Test
  void anOwnerThatHasNotYetAnsweredOnceIsNotTakenForSilent() {
    var proxy = proxy(ClusterSettings.Formation.SELF);
    view.publish(scope, BreakerState.CLOSED, 1);
    settle(proxy);
    timePasses(OWNER_SILENCE.multipliedBy(2));  // a cluster still forming: the breaker not started yet
    for (int i = 0; i < BREAKER.consecutiveFaults(); i++) proxy.tell(FAULT);
    settle(proxy);
    assertEquals(BreakerState.CLOSED, view.stateOf(scope));
  }

  @Test
  void theOwnersFirstAnswerReleasesTheLocalHoldAndItsStateRules() {
    var proxy = silentOwner();
    for (int i = 0; i < BREAKER.consecutiveFaults(); i++) proxy.tell(FAULT);
    settle(proxy);
    assertEquals(BreakerState.Circuit.OPEN, view.stateOf(scope).circuit());

    timePasses(KEEP_ALIVE);
    var keepAlive = owner.fishForMessage(Duration.ofSeconds(3), message -> message instanceof GetVersionedState
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    ((GetVersionedState) keepAlive.get(keepAlive.size() - 1)).replyTo().tell(new VersionedState(BreakerState.CLOSED, 1));
    settle(proxy);
    assertEquals(BreakerState.CLOSED, view.stateOf(scope));
    assertEquals(Map.of(), view.localHolds());
  }

  @Test
  void whileTheOwnerAnswersThisNodesFaultsAreLeftToItsJudgement() {
    var proxy = proxy(ClusterSettings.Formation.SELF);
    view.publish(scope, BreakerState.CLOSED, 1);
    settle(proxy);
    for (int second = 0; second < 2 * OWNER_SILENCE.toSeconds(); second++) answerKeepAlive(proxy);
    for (int i = 0; i < 2 * BREAKER.consecutiveFaults(); i++) proxy.tell(FAULT);
    var toOwner = settle(proxy);
    assertEquals(2 * BREAKER.consecutiveFaults(), toOwner.stream().filter(FAULT::equals).count());
    assertEquals(BreakerState.CLOSED, view.stateOf(scope), "no second judgement beside the owner's");
    assertEquals(Map.of(), view.localHolds());
  }

  @Test
  void successesWhileTheOwnerIsSilentKeepTheCircuitClosed() {
    var proxy = silentOwner();
    for (int i = 1; i < BREAKER.consecutiveFaults(); i++) proxy.tell(FAULT);
    for (int i = 0; i < 16; i++) proxy.tell(new RecordSuccess(200, false));
    for (int i = 1; i < BREAKER.consecutiveFaults(); i++) proxy.tell(FAULT);  // 8 of 24: a third
    settle(proxy);
    assertEquals(BreakerState.CLOSED, view.stateOf(scope));
  }

  @Test
  void aLocalHoldLastsTheCooldownThenTheNodeTriesTheProviderAgainAndBacksOffLonger() {
    var proxy = silentOwner();
    for (int i = 0; i < BREAKER.consecutiveFaults(); i++) proxy.tell(FAULT);
    settle(proxy);
    timePasses(BREAKER.cooldown().minusMillis(1));
    assertEquals(BreakerState.Circuit.OPEN, view.stateOf(scope).circuit(), "held for the whole cooldown");
    timePasses(Duration.ofMillis(1));
    settle(proxy);
    assertEquals(BreakerState.CLOSED, view.stateOf(scope), "tried again, on its own evidence");

    for (int i = 0; i < BREAKER.consecutiveFaults(); i++) proxy.tell(FAULT);
    settle(proxy);
    assertEquals(BreakerState.open(clock.instant().plus(BREAKER.cooldown().multipliedBy(2)), 1,
        TripReason.CONSECUTIVE_FAULTS), view.stateOf(scope), "the second hold in a row lasts twice as long");
  }

  @Test
  void whileHeldLocallyFurtherFaultsAreNotJudgedAgainButStillReachTheOwner() {
    var proxy = silentOwner();
    for (int i = 0; i < BREAKER.consecutiveFaults(); i++) proxy.tell(FAULT);
    settle(proxy);
    var held = view.stateOf(scope);
    timePasses(Duration.ofSeconds(1));
    for (int i = 0; i < 2 * BREAKER.consecutiveFaults(); i++) proxy.tell(FAULT);  // calls begun before the hold
    var toOwner = settle(proxy);
    assertEquals(held, view.stateOf(scope), "the hold is neither renewed nor lengthened");
    assertEquals(2 * BREAKER.consecutiveFaults(), toOwner.stream().filter(FAULT::equals).count());
    var request = testKit.<ProbeAnswer>createTestProbe();
    proxy.tell(new AskForProbe(request.ref()));
    assertInstanceOf(ProbeRefused.class, request.receiveMessage());
  }

  @Test
  void whileTheOwnerIsSilentAProbePermitIsRefusedAtOnce() {
    var proxy = silentOwner();
    var request = testKit.<ProbeAnswer>createTestProbe();
    proxy.tell(new AskForProbe(request.ref()));
    assertInstanceOf(ProbeRefused.class, request.receiveMessage());
    assertTrue(settle(proxy).stream().noneMatch(AskForProbe.class::isInstance), "the owner was not asked");
  }

  @Test
  void aProbePermitGrantedInTimeReachesTheRequest() {
    var proxy = proxy(ClusterSettings.Formation.SELF);
    var request = testKit.<ProbeAnswer>createTestProbe();
    proxy.tell(new AskForProbe(request.ref()));
    owner.expectMessageClass(AskForProbe.class).replyTo().tell(new ProbeGranted());
    assertEquals(new ProbeGranted(), request.receiveMessage());
  }

  @Test
  void aProbePermitNotGrantedInTimeCountsAsRefusedAndALateGrantIsGivenBack() {
    var proxy = proxy(ClusterSettings.Formation.SELF);
    var request = testKit.<ProbeAnswer>createTestProbe();
    proxy.tell(new AskForProbe(request.ref()));
    var ask = owner.expectMessageClass(AskForProbe.class);
    manualTime.expectNoMessageFor(PERMIT_TIMEOUT.minusMillis(1), request);
    timePasses(Duration.ofMillis(1));
    assertInstanceOf(ProbeRefused.class, request.receiveMessage());

    ask.replyTo().tell(new ProbeGranted());  // the owner was slow, not gone
    var givenBack = owner.expectMessageClass(RecordFailure.class);
    assertEquals(FailureKind.CANCELLED, givenBack.failure().kind());
    assertTrue(givenBack.probe(), "frees the owner's one permit");
    request.expectNoMessage(Duration.ofMillis(50));
  }

  /** A proxy in a cluster whose owner has left every keep-alive unanswered for owner-silence. */
  private ActorRef<ProviderBreaker.Command> silentOwner() {
    var proxy = proxy(ClusterSettings.Formation.SELF);
    view.publish(scope, BreakerState.CLOSED, 1);
    settle(proxy);  // its timers are armed
    answerKeepAlive(proxy);  // the silence counts from the owner's last answer
    timePasses(OWNER_SILENCE);
    settle(proxy);
    return proxy;
  }

  /** One keep-alive interval in which the owner answers with the state it holds. */
  private void answerKeepAlive(ActorRef<ProviderBreaker.Command> proxy) {
    timePasses(KEEP_ALIVE);
    owner.expectMessageClass(GetVersionedState.class).replyTo().tell(new VersionedState(BreakerState.CLOSED, 1));
    settle(proxy);
  }

  private void timePasses(Duration d) {
    clock.advance(d);
    manualTime.timePasses(d);
  }

  /**
   * Returns once the proxy has handled everything told to it before, with what the owner got
   * meanwhile.
   */
  private List<ProviderBreaker.Command> settle(ActorRef<ProviderBreaker.Command> proxy) {
    proxy.tell(new ProviderBreaker.GetState(testKit.<BreakerState>createTestProbe().ref()));
    var received = owner.fishForMessage(Duration.ofSeconds(3), message -> message instanceof ProviderBreaker.GetState
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndCollect());
    return received.subList(0, received.size() - 1);
  }
}
