package detour.providers.breaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import detour.providers.model.ProviderFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * Holds a breaker to {@link BreakerModel}, step by step: what {@code BreakerPropertiesTest} does to
 * the live actor, and the router's {@code ReplayedBreakerPropertiesTest} to the what-if replay's
 * breaker. Public (with {@link BreakerSteps}) for the latter, which lives in another module.
 */
public final class BreakerModelCheck {
  private BreakerModelCheck() {}

  /** Every move of docs/breaker.md's state machine, and each trip rule: the live runs must reach them all. */
  public static final Set<String> EVERY_MOVE = Set.of(
      "CLOSED->OPEN CONSECUTIVE_FAULTS", "CLOSED->OPEN RATE_LIMITS", "CLOSED->OPEN FAILURE_RATE",
      "CLOSED->OPEN SLOW_CALLS", "OPEN->HALF_OPEN", "HALF_OPEN->RECOVERING", "HALF_OPEN->CLOSED",
      "HALF_OPEN->OPEN PROBE_FAILED", "HALF_OPEN lease reclaimed", "RECOVERING->RECOVERING", "RECOVERING->CLOSED",
      "RECOVERING->OPEN RAMP_FAILED");

  /** Fails naming the moves the drawn runs never reached. */
  public static void assertReached(Set<String> expected, Map<String, Integer> reached) {
    Set<String> missed = new TreeSet<>(expected);
    missed.removeAll(reached.keySet());
    assertTrue(missed.isEmpty(), "the drawn runs never reached " + missed);
  }

  /** A breaker under test, and the clock it reads. */
  public interface Machine {
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
  public static void drive(Case run, BreakerSettings rules, Machine machine, UnaryOperator<BreakerState> compared,
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

  public static ProviderFailure failureOf(Fail f) {
    return new ProviderFailure(f.kind(), 500, "upstream failed: " + f.kind(), "",
        f.retryAfterMillis() < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(f.retryAfterMillis())));
  }
}
