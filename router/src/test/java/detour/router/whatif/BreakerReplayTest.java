package detour.router.whatif;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import akka.persistence.testkit.javadsl.PersistenceTestKit;
import com.typesafe.config.ConfigFactory;
import detour.persistence.breaker.BreakerEvent;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.routing.ModelRef;
import detour.persistence.routing.RoutingEvent.ModelSecond;
import detour.persistence.routing.SkipCause;
import detour.providers.breaker.BreakerSettings;
import detour.providers.breaker.BreakerState;
import detour.providers.breaker.BreakerState.Circuit;
import detour.providers.breaker.BreakerView;
import detour.providers.breaker.ProviderBreaker;
import detour.providers.breaker.RampAdmission;
import detour.providers.model.ProviderFailure;
import detour.providers.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The what-if replay is only worth its verdicts if, given the settings a breaker ran with and the
 * outcomes it saw, it moves exactly as that breaker did. These tests feed one recorded world to the
 * real {@link ProviderBreaker} (with a coordinator's gating written out by hand) and to the replay.
 */
class BreakerReplayTest {
  static final ActorTestKit testKit =
      ActorTestKit.create(ManualTime.config()
          // The journal's own call-timeout runs on the manual clock: moving it while a write is in
          // flight must not time the write out.
          .withFallback(ConfigFactory.parseString("akka.persistence.testkit.journal.circuit-breaker.call-timeout = 1h"))
          .withFallback(EventSourcedBehaviorTestKit.config()));
  static final ManualTime manualTime = ManualTime.get(testKit.system());
  static final RandomGenerator NO_JITTER = () -> Long.MIN_VALUE;
  static final Instant START = Instant.parse("2026-01-05T09:00:00Z");
  static final int RATE = 10;

  @AfterAll
  static void shutDown() {
    testKit.shutdownTestKit();
  }

  /** The moves a breaker made, as (second offset in ms, circuit, share). */
  record Step(long atMillis, Circuit circuit, double share) {}

  @Test
  void replayedWithTheSameSettingsTheCircuitMovesAsTheRealBreakerDid() {
    // 20 s healthy, 25 s of 503s, healthy as the probes go, mostly failing during the first ramp
    // stage (which re-opens it), then healthy for good.
    List<ModelSecond> world = world(200,
        second -> second < 20 ? 0 : second < 45 ? 1.0 : second < 52 ? 0 : second < 70 ? 0.8 : 0);
    var settings = BreakerSettings.defaults();

    List<Step> real = realBreaker(settings, world);
    List<Step> replayed = replay(settings, world);

    assertEquals(List.of(Circuit.OPEN, Circuit.HALF_OPEN, Circuit.RECOVERING, Circuit.OPEN, Circuit.HALF_OPEN,
            Circuit.RECOVERING, Circuit.RECOVERING, Circuit.CLOSED),
        real.stream().map(Step::circuit).toList(), "a trip, probes, a failed ramp, then recovery: " + real);
    assertEquals(real.size(), replayed.size(), "real " + real + "\nreplayed " + replayed);
    for (int i = 0; i < real.size(); i++) {
      assertEquals(real.get(i).circuit(), replayed.get(i).circuit(), "move " + i);
      assertEquals(real.get(i).share(), replayed.get(i).share(), "move " + i);
      // The real breaker's timers fire at the first request after them (the test steps 100 ms).
      long late = real.get(i).atMillis() - replayed.get(i).atMillis();
      assertTrue(late >= 0 && late < 1000 / RATE, "move " + i + ": real " + real.get(i) + ", replayed " + replayed.get(i));
    }
  }

  @Test
  void aShorterCooldownAndFewerFaultsOpenSoonerAndRecoverSooner() {
    List<ModelSecond> world = world(120, second -> second >= 20 && second < 50 ? 1.0 : 0);
    var shipped = BreakerSettings.defaults();
    var brisk = shipped.with(ConfigFactory.parseString("consecutive-faults = 2, cooldown = 10s"));

    List<Step> usual = replay(shipped, world);
    List<Step> quick = replay(brisk, world);

    assertEquals(new Step(20_450, Circuit.OPEN, 0), usual.get(0), "the fifth 503 in a row");
    assertEquals(new Step(20_150, Circuit.OPEN, 0), quick.get(0), "the second");
    assertEquals(Circuit.CLOSED, usual.get(usual.size() - 1).circuit());
    assertTrue(quick.get(quick.size() - 1).atMillis() < usual.get(usual.size() - 1).atMillis(),
        "closes sooner: " + quick + " vs " + usual);
  }

  @Test
  void callsMadeWhileTheRealCircuitWasOpenAreCountedAsAssumed() {
    var model = new ModelRef("sim", "model-x");
    // Recorded: half of 10 calls failed in second 0, then 10 requests passed over a second for 5 s
    // (the real circuit was open), then answers.
    List<ModelSecond> rows = new ArrayList<>();
    rows.add(new ModelSecond(START, model, 5, Map.of("250", 5L), Map.of("OVERLOADED", 5L), 0, Map.of()));
    for (int s = 1; s <= 5; s++) {
      rows.add(new ModelSecond(START.plusSeconds(s), model, 0, Map.of(), Map.of(), 0, Map.of(SkipCause.CIRCUIT_OPEN, 10L)));
    }
    rows.add(new ModelSecond(START.plusSeconds(6), model, 10, Map.of("250", 10L), Map.of(), 0, Map.of()));
    var neverOpens = BreakerSettings.defaults().with(ConfigFactory.parseString(
        "consecutive-faults = 1000, failure-rate-threshold = 1.0"));

    var result = BreakerReplay.replay("sim", neverOpens, List.of("model-x"), rows, START, START.plusSeconds(7));

    var tally = result.replayed().get("sim/model-x");
    assertEquals(70, tally.calls(), "every request called it");
    assertEquals(50, tally.assumed(), "the five seconds nobody called it take the last outcomes seen");
    assertEquals(30, tally.failed(), "5 recorded failures, and half of the 50 assumed calls");
    assertEquals(new BreakerReplay.Tally(20, 5, 0), result.recorded().get("sim/model-x"));
    assertTrue(result.moves().isEmpty(), "half failing never reaches a rate of 1.0");
  }

  // ---- The world, the real breaker, the replay ---------------------------------------------------

  interface FailureShare {
    double at(int second);
  }

  /** RATE calls a second of one model, the given share of them 503s, the rest answered in 250 ms. */
  static List<ModelSecond> world(int seconds, FailureShare share) {
    var model = new ModelRef("sim", "model-x");
    List<ModelSecond> rows = new ArrayList<>();
    for (int s = 0; s < seconds; s++) {
      long failed = Math.round(RATE * share.at(s));
      rows.add(new ModelSecond(START.plusSeconds(s), model, RATE - failed,
          RATE - failed > 0 ? Map.of("250", RATE - failed) : Map.of(),
          failed > 0 ? Map.of("OVERLOADED", failed) : Map.of(), 0, Map.of()));
    }
    return rows;
  }

  static List<Step> replay(BreakerSettings settings, List<ModelSecond> world) {
    var result = BreakerReplay.replay("sim", settings, List.of("model-x"), world, START,
        START.plusSeconds(world.size()));
    assertTrue(result.moves().stream().noneMatch(m -> m.scope().equals("sim")),
        "503s are the model's fault: the provider's circuit never moves");
    return result.moves().stream()
        .map(m -> new Step(Duration.between(START, m.at()).toMillis(), m.circuit(), m.share()))
        .toList();
  }

  /** Drives the real breaker through the same requests, gating them as the coordinator does. */
  static List<Step> realBreaker(BreakerSettings settings, List<ModelSecond> world) {
    var clock = TestClock.at(START.toString());
    var scope = BreakerScope.model("sim-" + UUID.randomUUID(), "model-x");
    var breaker = testKit.spawn(ProviderBreaker.create(scope, settings, clock, BreakerView.detached(), NO_JITTER));
    var states = testKit.<BreakerState>createTestProbe();
    var probes = testKit.<ProviderBreaker.ProbeAnswer>createTestProbe();
    long rampCounter = 0;
    Instant now = START;
    // The scheduler is moved only when a phase's timer is due (each move sleeps 100 ms in ManualTime).
    Instant scheduled = START;
    BreakerState state = BreakerState.CLOSED;
    for (int s = 0; s < world.size(); s++) {
      OutcomeMix mix = OutcomeMix.of(world.get(s));
      for (int k = 0; k < RATE; k++) {
        Instant slot = START.plusSeconds(s).plusNanos((long) ((k + 0.5) * 1_000_000_000L / RATE));
        clock.advance(Duration.between(now, slot));
        now = slot;
        boolean timed = state.circuit() == Circuit.OPEN || state.circuit() == Circuit.RECOVERING;
        if (timed && !slot.isBefore(state.until())) {
          manualTime.timePasses(Duration.between(scheduled, slot));
          scheduled = slot;
        }
        breaker.tell(new ProviderBreaker.GetState(states.ref()));
        state = states.receiveMessage();
        boolean probe = false;
        if (state.circuit() == Circuit.OPEN) continue;
        if (state.circuit() == Circuit.HALF_OPEN) {
          breaker.tell(new ProviderBreaker.AskForProbe(probes.ref()));
          var answer = probes.receiveMessage();
          if (!(answer instanceof ProviderBreaker.ProbeGranted)) continue;
          probe = true;
        }
        if (state.circuit() == Circuit.RECOVERING) {
          if (!RampAdmission.admits(rampCounter++, state.share())) continue;
        }
        OutcomeMix.Outcome outcome = mix.outcome(k, RATE);
        breaker.tell(outcome.answered()
            ? new ProviderBreaker.RecordSuccess(outcome.latencyMillis(), probe)
            : new ProviderBreaker.RecordFailure(ProviderFailure.of(outcome.failure(), 503, "overloaded"), probe));
        breaker.tell(new ProviderBreaker.GetState(states.ref()));
        states.receiveMessage();  // handled at this slot's time, before the clock moves on
      }
    }
    List<Step> steps = new ArrayList<>();
    breaker.tell(new ProviderBreaker.GetState(states.ref()));
    states.receiveMessage();  // every outcome told before it has been handled, and its move written
    for (Object event : PersistenceTestKit.create(testKit.system()).persistedInStorage(ProviderBreaker.persistenceId(scope).id())) {
      var e = (BreakerEvent) event;
      long at = Duration.between(START, e.at()).toMillis();
      if (e instanceof BreakerEvent.Tripped) {
        steps.add(new Step(at, Circuit.OPEN, 0));
      } else if (e instanceof BreakerEvent.ProbingStarted) {
        steps.add(new Step(at, Circuit.HALF_OPEN, 0));
      } else if (e instanceof BreakerEvent.RampAdvanced ramp) {
        steps.add(new Step(at, Circuit.RECOVERING, ramp.share()));
      } else if (e instanceof BreakerEvent.Recovered) {
        steps.add(new Step(at, Circuit.CLOSED, 1));
      } else {
        throw new AssertionError("no operator acts in this scenario: " + e);
      }
    }
    return steps;
  }
}
