package detour.router.whatif;

import static detour.providers.breaker.BreakerModelCheck.EVERY_MOVE;
import static detour.providers.breaker.BreakerModelCheck.assertReached;
import static detour.providers.breaker.BreakerModelCheck.drive;
import static detour.providers.breaker.BreakerModelCheck.failureOf;

import com.typesafe.config.ConfigFactory;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.TripReason;
import detour.providers.breaker.BreakerModelCheck.Machine;
import detour.providers.breaker.BreakerSettings;
import detour.providers.breaker.BreakerState;
import detour.providers.breaker.BreakerState.Circuit;
import detour.providers.breaker.BreakerSteps;
import detour.providers.breaker.BreakerSteps.Answer;
import detour.providers.breaker.BreakerSteps.Case;
import detour.providers.breaker.BreakerSteps.Fail;
import detour.providers.breaker.BreakerSteps.Step;
import detour.providers.testing.PropertyRunner;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The what-if replay's {@link ReplayedBreaker} against the breaker's reference model (providers'
 * {@code BreakerModel}, the rules of docs/breaker.md written again), as providers'
 * {@code BreakerPropertiesTest} holds the live actor to it: random runs of answers, failures of
 * every class, slow answers and time passing drive both, and after every step the circuit the
 * replayed breaker shows must be the one the model expects.
 */
class ReplayedBreakerPropertiesTest {
  @Test
  void theWhatIfReplayFollowsTheSameRules() {
    // The replay takes the cooldown's middle (no jitter) and knows no operators, permits or restarts.
    Map<String, Integer> reached = new TreeMap<>();
    PropertyRunner.forAll("replayed breaker vs model", 3_000, 15_2027L, r -> {
          boolean providerWide = r.nextInt(10) < 3;
          BreakerSettings s = BreakerSteps.drawSettings(r);
          return new Case(s, providerWide, 0, BreakerSteps.drawSteps(r, s, providerWide, false));
        },
        run -> drive(run, middleOfTheJitter(run.settings()), new Replayed(run), ReplayedBreakerPropertiesTest::withoutReopens,
            reached));
    System.out.println("replayed breaker moves reached: " + reached);
    assertReached(EVERY_MOVE.stream().filter(move -> !move.contains("lease")).collect(Collectors.toSet()), reached);
  }

  /** The replay takes the middle of the jitter's spread: its cooldowns are the nominal ones. */
  private static BreakerSettings middleOfTheJitter(BreakerSettings s) {
    return s.with(ConfigFactory.parseString("cooldown-jitter = 0"));
  }

  /** The replay does not expose its count of opens in a row: compare the rest. */
  private static BreakerState withoutReopens(BreakerState s) {
    return new BreakerState(s.circuit(), s.until(), 0, s.share(), s.cause());
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
