package detour.providers.breaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.persistence.testkit.PersistenceTestKitPlugin;
import akka.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.typesafe.config.ConfigFactory;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.FailureKind;
import detour.persistence.breaker.TripReason;
import detour.providers.breaker.BreakerState.Circuit;
import detour.providers.breaker.BreakerSteps.Answer;
import detour.providers.breaker.BreakerSteps.AskForProbe;
import detour.providers.breaker.BreakerSteps.Batch;
import detour.providers.breaker.BreakerSteps.Case;
import detour.providers.breaker.BreakerSteps.Fail;
import detour.providers.breaker.BreakerSteps.Order;
import detour.providers.breaker.BreakerSteps.Restart;
import detour.providers.breaker.BreakerSteps.Step;
import detour.providers.breaker.BreakerSteps.Wait;
import detour.providers.breaker.ProviderBreaker.Administer;
import detour.providers.breaker.ProviderBreaker.Command;
import detour.providers.breaker.ProviderBreaker.GetState;
import detour.providers.breaker.ProviderBreaker.ProbeAnswer;
import detour.providers.breaker.ProviderBreaker.ProbeGranted;
import detour.providers.breaker.ProviderBreaker.RecordFailure;
import detour.providers.breaker.ProviderBreaker.RecordSuccess;
import detour.providers.breaker.ProviderBreaker.RecordSuccesses;
import detour.providers.model.ProviderFailure;
import detour.providers.testing.PropertyRunner;
import detour.providers.testing.SteppingScheduler;
import detour.providers.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The breaker against {@link BreakerModel}, the rules of docs/breaker.md written again: random runs
 * of answers, failures of every class, slow answers, batches, probe asks, time passing and
 * operators' orders drive both, and after every step the circuit the machine publishes must be the
 * one the model expects. The live actor (journal, timers, recovery) and the what-if replay's
 * {@link ReplayedBreaker} are each held to the same model.
 */
class BreakerPropertiesTest {
  static final ActorTestKit testKit = ActorTestKit.create(SteppingScheduler.config()
      .withFallback(PersistenceTestKitPlugin.getInstance().config())
      .withFallback(PersistenceTestKitSnapshotPlugin.config()));
  static final SteppingScheduler time = SteppingScheduler.of(testKit.system());
  static final AtomicInteger scopes = new AtomicInteger();

  /** Thousands of trips would each log a line: the properties' own reports say what failed. */
  static final Logger breakerLog = (Logger) LoggerFactory.getLogger(ProviderBreaker.class);

  @BeforeAll
  static void quiet() {
    breakerLog.setLevel(Level.ERROR);
  }

  @AfterAll
  static void shutDown() {
    breakerLog.setLevel(null);
    testKit.shutdownTestKit();
  }

  /** Every move of docs/breaker.md's state machine, and each trip rule: the live runs must reach them all. */
  static final Set<String> EVERY_MOVE = Set.of(
      "CLOSED->OPEN CONSECUTIVE_FAULTS", "CLOSED->OPEN RATE_LIMITS", "CLOSED->OPEN FAILURE_RATE",
      "CLOSED->OPEN SLOW_CALLS", "OPEN->HALF_OPEN", "HALF_OPEN->RECOVERING", "HALF_OPEN->CLOSED",
      "HALF_OPEN->OPEN PROBE_FAILED", "HALF_OPEN lease reclaimed", "RECOVERING->RECOVERING", "RECOVERING->CLOSED",
      "RECOVERING->OPEN RAMP_FAILED");
  /** And the operators' orders, from any phase. */
  static final Set<String> EVERY_ORDER = Set.of("CLOSED->OPEN forced", "OPEN->OPEN forced",
      "HALF_OPEN->OPEN forced", "RECOVERING->OPEN forced", "OPEN->PINNED_CLOSED", "HALF_OPEN->DRAINED",
      "RECOVERING->PINNED_CLOSED", "DRAINED->CLOSED", "PINNED_CLOSED->CLOSED", "OPEN->CLOSED");

  @Test
  void theLiveBreakerFollowsTheDocumentedRules() {
    Map<String, Integer> reached = new TreeMap<>();
    PropertyRunner.forAll("live breaker vs model", 400, 15_2026L, BreakerPropertiesTest::drawCase,
        run -> drive(run, run.settings(), new LiveBreaker(run), UnaryOperator.identity(), reached));
    System.out.println("live breaker moves reached: " + reached);
    assertReached(EVERY_MOVE, reached);
    assertReached(EVERY_ORDER, reached);
  }

  @Test
  void theWhatIfReplayFollowsTheSameRules() {
    // The replay takes the cooldown's middle (no jitter) and knows no operators, permits or restarts.
    Map<String, Integer> reached = new TreeMap<>();
    PropertyRunner.forAll("replayed breaker vs model", 3_000, 15_2027L, r -> {
          boolean providerWide = r.nextInt(10) < 3;
          BreakerSettings s = BreakerSteps.drawSettings(r);
          return new Case(s, providerWide, 0, BreakerSteps.drawSteps(r, s, providerWide, false));
        },
        run -> drive(run, middleOfTheJitter(run.settings()), new Replayed(run), BreakerPropertiesTest::withoutReopens,
            reached));
    System.out.println("replayed breaker moves reached: " + reached);
    assertReached(EVERY_MOVE.stream().filter(move -> !move.contains("lease")).collect(Collectors.toSet()), reached);
  }

  private static void assertReached(Set<String> expected, Map<String, Integer> reached) {
    Set<String> missed = new TreeSet<>(expected);
    missed.removeAll(reached.keySet());
    assertTrue(missed.isEmpty(), "the drawn runs never reached " + missed);
  }

  @Test
  void aSingleTransientErrorNeverOpensTheCircuitWithTheShippedDefaults() {
    BreakerSettings shipped = BreakerSettings.defaults();
    PropertyRunner.forAll("one error among answers", 200, 15_2028L, r -> {
          List<Step> steps = new ArrayList<>();
          int before = r.nextInt(60);
          int after = r.nextInt(60);
          for (int i = 0; i < before; i++) steps.add(new Answer(r.nextLong(shipped.slowCallDuration().toMillis()), false));
          steps.add(new Fail(FailureKind.values()[r.nextInt(FailureKind.values().length)],
              r.nextBoolean() ? r.nextInt(600_000) : -1, false));
          for (int i = 0; i < after; i++) steps.add(new Answer(r.nextLong(shipped.slowCallDuration().toMillis()), false));
          return new Case(shipped, r.nextBoolean(), r.nextLong(), steps);
        },
        run -> {
          LiveBreaker live = new LiveBreaker(run);
          assertEquals(1, run.steps().stream().filter(step -> step instanceof Fail).count(), "shrunk past its error");
          try {
            for (Step step : run.steps()) {
              live.apply(step);
              assertEquals(BreakerState.CLOSED, live.state(), "after " + step);
            }
          } finally {
            live.stop();
          }
        });
  }

  private static Case drawCase(SplittableRandom r) {
    boolean providerWide = r.nextInt(10) < 3;
    BreakerSettings s = BreakerSteps.drawSettings(r);
    return new Case(s, providerWide, r.nextLong(), BreakerSteps.drawSteps(r, s, providerWide, true));
  }

  /** The replay takes the middle of the jitter's spread: its cooldowns are the nominal ones. */
  private static BreakerSettings middleOfTheJitter(BreakerSettings s) {
    return s.with(ConfigFactory.parseString("cooldown-jitter = 0"));
  }

  /** The replay does not expose its count of opens in a row: compare the rest. */
  private static BreakerState withoutReopens(BreakerState s) {
    return new BreakerState(s.circuit(), s.until(), 0, s.share(), s.cause());
  }

  /** A breaker under test, and the clock it reads. */
  interface Machine {
    /** Applies one step that is not time passing; answers whether a probe was granted, for asks. */
    Optional<Boolean> apply(Step step);

    void timePasses(Duration d);

    /** Its timer that is due now fires (the replay needs to be told; the actor's fires by itself). */
    void deadlineReached(Instant now);

    BreakerState state();

    Instant now();

    void stop();
  }

  /**
   * @param rules the settings the model judges by: the machine's, or with the jitter at its middle
   * @param compared what of each state is compared
   */
  private static void drive(Case run, BreakerSettings rules, Machine machine, UnaryOperator<BreakerState> compared,
      Map<String, Integer> reached) {
    BreakerModel model = new BreakerModel(rules, run.providerWide());
    try {
      int n = 0;
      for (Step step : run.steps()) {
        String where = "step " + (++n) + " " + step;
        if (step instanceof Wait wait) {
          Instant end = machine.now().plusMillis(wait.millis());
          // Time passes deadline by deadline, so each timer fires at its own moment.
          for (Instant next = model.nextDeadline(); next != null && !next.isAfter(end); next = model.nextDeadline()) {
            machine.timePasses(Duration.between(machine.now(), next));
            machine.deadlineReached(next);
            model.deadlineReached(next);
            agree(model, machine.state(), compared, where + " at its deadline " + next);
          }
          machine.timePasses(Duration.between(machine.now(), end));
        } else {
          Optional<Boolean> granted = machine.apply(step);
          Optional<Boolean> expected = tell(model, step, machine.now(), run);
          if (expected.isPresent()) assertEquals(expected, granted, where + ": probe granted?");
        }
        agree(model, machine.state(), compared, where);
      }
      // Any timer the machine has armed that the model does not know of fires now.
      machine.deadlineReached(machine.now());
      agree(model, machine.state(), compared, "at the end");
    } finally {
      machine.stop();
    }
    model.moves.forEach(move -> reached.merge(move, 1, Integer::sum));
  }

  private static Optional<Boolean> tell(BreakerModel model, Step step, Instant now, Case run) {
    if (step instanceof Answer a) {
      model.answered(now, a.latencyMillis(), a.probe());
    } else if (step instanceof Fail f) {
      model.failed(now, f.kind(), Duration.ofMillis(Math.max(0, f.retryAfterMillis())), f.probe());
    } else if (step instanceof Batch b) {
      model.answeredBatch(now, b.latenciesMillis());
    } else if (step instanceof AskForProbe) {
      return Optional.of(model.askForProbe(now));
    } else if (step instanceof Restart) {
      model.restarted();
    } else if (step instanceof Order o) {
      switch (o.action()) {
        case FORCE_OPEN -> model.forceOpen(now, Duration.ofSeconds(o.seconds()));
        case FORCE_CLOSED -> model.pinClosed();
        case DRAIN -> model.drain();
        case RESET -> model.reset();
      }
    }
    return Optional.empty();
  }

  /** The machine's state is the model's; a fresh trip's end needs only lie within the documented bounds. */
  private static void agree(BreakerModel model, BreakerState actual, UnaryOperator<BreakerState> compared, String where) {
    if (model.cooldownBounds != null) {
      assertEquals(Circuit.OPEN, actual.circuit(), where + ": tripped? model " + model.cause + ", machine " + actual);
      assertTrue(model.cooldownBounds.holds(actual.until()),
          where + ": open until " + actual.until() + ", outside the documented " + model.cooldownBounds);
      model.adoptUntil(actual.until());
    }
    assertEquals(compared.apply(model.view()), compared.apply(actual), where);
  }

  private static ProviderFailure failureOf(Fail f) {
    return new ProviderFailure(f.kind(), 500, "upstream failed: " + f.kind(), "",
        f.retryAfterMillis() < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(f.retryAfterMillis())));
  }

  /** The ProviderBreaker actor itself, on the in-memory journal, its timers on the stepping scheduler. */
  static final class LiveBreaker implements Machine {
    private final TestClock clock = TestClock.at("2026-01-05T09:00:00Z");
    private final BreakerScope scope;
    private final Case run;
    private final TestProbe<BreakerState> states = testKit.createTestProbe();
    private final TestProbe<ProbeAnswer> answers = testKit.createTestProbe();
    private ActorRef<Command> breaker;

    LiveBreaker(Case run) {
      this.run = run;
      String provider = "prop-" + scopes.incrementAndGet();
      this.scope = run.providerWide() ? BreakerScope.provider(provider) : BreakerScope.model(provider, "m");
      spawn();
    }

    private void spawn() {
      breaker = testKit.spawn(ProviderBreaker.create(scope, run.settings(), clock, BreakerView.detached(),
          new SplittableRandom(run.jitterSeed())));
    }

    public Optional<Boolean> apply(Step step) {
      if (step instanceof Answer a) {
        breaker.tell(new RecordSuccess(a.latencyMillis(), a.probe()));
      } else if (step instanceof Fail f) {
        breaker.tell(new RecordFailure(failureOf(f), f.probe()));
      } else if (step instanceof Batch b) {
        breaker.tell(new RecordSuccesses(b.latenciesMillis()));
      } else if (step instanceof AskForProbe) {
        breaker.tell(new ProviderBreaker.AskForProbe(answers.ref()));
        return Optional.of(answers.receiveMessage() instanceof ProbeGranted);
      } else if (step instanceof Order o) {
        breaker.tell(new Administer(o.action(), Duration.ofSeconds(o.seconds()), "prop", "property run", states.ref()));
        states.receiveMessage();  // the state it led to; compared with the model's below
      } else if (step instanceof Restart) {
        testKit.stop(breaker);
        spawn();
      }
      return Optional.empty();
    }

    /** Asks before, so that a timer armed by the last step is surely armed, then moves both clocks. */
    public void timePasses(Duration d) {
      state();
      clock.advance(d);
      time.timePasses(d);
    }

    public void deadlineReached(Instant now) {}

    /** Asked after every step: whatever the step made it journal is done before the answer. */
    public BreakerState state() {
      breaker.tell(new GetState(states.ref()));
      return states.receiveMessage();
    }

    public Instant now() {
      return clock.instant();
    }

    public void stop() {
      testKit.stop(breaker);
    }
  }

  /** The what-if replay's machine, told each deadline as the replay tells it. */
  static final class Replayed implements Machine {
    private final ReplayedBreaker breaker;
    private Instant now = Instant.parse("2026-01-05T09:00:00Z");
    private ReplayedBreaker.Move last;

    Replayed(Case run) {
      this.breaker = new ReplayedBreaker(
          run.providerWide() ? BreakerScope.provider("sim") : BreakerScope.model("sim", "m"), run.settings(),
          move -> last = move);
    }

    public Optional<Boolean> apply(Step step) {
      if (step instanceof Answer a) {
        breaker.answered(now, a.latencyMillis(), a.probe());
      } else if (step instanceof Fail f) {
        breaker.failed(now, failureOf(f), f.probe());
      } else {
        throw new IllegalArgumentException("the replay has no " + step);
      }
      return Optional.empty();
    }

    public void timePasses(Duration d) {
      now = now.plus(d);
    }

    public void deadlineReached(Instant at) {
      breaker.fireTimer(at);
    }

    public BreakerState state() {
      Circuit circuit = breaker.circuit();
      Instant until = circuit == Circuit.OPEN || circuit == Circuit.RECOVERING ? breaker.nextDeadline() : Instant.EPOCH;
      TripReason cause = circuit == Circuit.OPEN ? last.reason().orElse(null) : null;
      double share = circuit == Circuit.CLOSED ? 1 : circuit == Circuit.RECOVERING ? last.share() : 0;
      return new BreakerState(circuit, until, 0, share, cause);
    }

    public Instant now() {
      return now;
    }

    public void stop() {}
  }
}
