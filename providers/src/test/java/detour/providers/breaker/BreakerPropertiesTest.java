package detour.providers.breaker;

import static detour.providers.breaker.BreakerModelCheck.EVERY_MOVE;
import static detour.providers.breaker.BreakerModelCheck.assertReached;
import static detour.providers.breaker.BreakerModelCheck.drive;
import static detour.providers.breaker.BreakerModelCheck.failureOf;
import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.persistence.testkit.PersistenceTestKitPlugin;
import akka.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.FailureKind;
import detour.providers.breaker.BreakerModelCheck.Machine;
import detour.providers.breaker.BreakerSteps.Answer;
import detour.providers.breaker.BreakerSteps.AskForProbe;
import detour.providers.breaker.BreakerSteps.Batch;
import detour.providers.breaker.BreakerSteps.Case;
import detour.providers.breaker.BreakerSteps.Fail;
import detour.providers.breaker.BreakerSteps.Order;
import detour.providers.breaker.BreakerSteps.Restart;
import detour.providers.breaker.BreakerSteps.Step;
import detour.providers.breaker.ProviderBreaker.Administer;
import detour.providers.breaker.ProviderBreaker.Command;
import detour.providers.breaker.ProviderBreaker.GetState;
import detour.providers.breaker.ProviderBreaker.ProbeAnswer;
import detour.providers.breaker.ProviderBreaker.ProbeGranted;
import detour.providers.breaker.ProviderBreaker.RecordFailure;
import detour.providers.breaker.ProviderBreaker.RecordSuccess;
import detour.providers.breaker.ProviderBreaker.RecordSuccesses;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The breaker against {@link BreakerModel}, the rules of docs/breaker.md written again: random runs
 * of answers, failures of every class, slow answers, batches, probe asks, time passing and
 * operators' orders drive both, and after every step the circuit the machine publishes must be the
 * one the model expects: here the live actor (journal, timers, recovery); the router's
 * {@code ReplayedBreakerPropertiesTest} holds the what-if replay's breaker to the same model
 * ({@link BreakerModelCheck}).
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

}
