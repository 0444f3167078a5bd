package detour.providers.breaker;

import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.TripReason;
import detour.providers.breaker.BreakerState.Circuit;
import detour.providers.model.ProviderFailure;
import java.time.Instant;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Judges one node's own outcomes with its breaker's rules, for while the breaker's owner cannot be
 * reached: it drives the same {@link BreakerMachine} as {@link ProviderBreaker}, over this node's
 * evidence alone, asking it only to judge and to size a trip. Its verdict is a hold of the circuit on
 * this node ({@link BreakerView#holdOpenLocally}), never a move of the breaker: nothing is
 * journaled, nothing published to other nodes.
 *
 * <p>Outcomes count only while the circuit, as last published, lets traffic through (closed, or
 * recovering, with the ramp's minimum); a hold lasts the cooldown, then counting starts afresh. Each
 * hold in a row, with no answer between them, is a reopen: its cooldown grows as the breaker's
 * would. Not thread-safe: one actor owns it.
 */
public final class LocalJudge {
  private final BreakerMachine machine;
  private int holdsInARow;

  public LocalJudge(BreakerScope scope, BreakerSettings settings, RandomGenerator random) {
    this.machine = new BreakerMachine(scope, settings, random);
  }

  /**
   * Counts an answer.
   *
   * @param published the circuit as last published by the owner
   * @return the hold to start, when this answer completes a trip (slow calls)
   */
  public Optional<BreakerState> success(Instant now, long latencyMillis, Circuit published) {
    if (!counts(published)) return Optional.empty();
    holdsInARow = 0;
    return hold(now, machine.judgeAnswer(now, latencyMillis, ramping(published)));
  }

  /**
   * Counts a failure, if it is a provider's fault.
   *
   * @param published the circuit as last published by the owner
   * @return the hold to start, when this failure completes a trip
   */
  public Optional<BreakerState> failure(Instant now, ProviderFailure failure, Circuit published) {
    if (!counts(published)) return Optional.empty();
    return hold(now, machine.judgeFailure(now, failure, ramping(published)));
  }

  /** A hold ended: the provider is tried again, judged on what happens from now on. */
  public void holdOver() {
    machine.restartCounting();
  }

  /** The owner answers again and its state rules: everything counted here is forgotten. */
  public void forgetAll() {
    machine.forgetAll();
    holdsInARow = 0;
  }

  private Optional<BreakerState> hold(Instant now, Optional<TripReason> verdict) {
    if (verdict.isEmpty()) return Optional.empty();
    int reopens = holdsInARow++;
    Instant until = machine.trip(now, reopens, verdict.get()).until();
    machine.restartCounting();
    return Optional.of(BreakerState.open(until, reopens, verdict.get()));
  }

  private static boolean counts(Circuit published) {
    return published == Circuit.CLOSED || published == Circuit.RECOVERING;
  }

  private static boolean ramping(Circuit published) {
    return published == Circuit.RECOVERING;
  }
}
