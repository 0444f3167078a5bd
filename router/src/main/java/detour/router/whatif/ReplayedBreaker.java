package detour.router.whatif;

import detour.persistence.breaker.BreakerEvent;
import detour.persistence.breaker.BreakerEvent.Tripped;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.TripReason;
import detour.providers.breaker.BreakerMachine;
import detour.providers.breaker.BreakerSettings;
import detour.providers.breaker.BreakerState.Circuit;
import detour.providers.breaker.ProviderBreaker;
import detour.providers.breaker.ProviderBreaker.Closed;
import detour.providers.breaker.ProviderBreaker.HalfOpen;
import detour.providers.breaker.ProviderBreaker.Open;
import detour.providers.breaker.ProviderBreaker.Phase;
import detour.providers.breaker.ProviderBreaker.Recovering;
import detour.providers.breaker.RampAdmission;
import detour.providers.model.ProviderFailure;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * One breaker driven on recorded time instead of the clock, for the what-if replay: the same
 * {@link BreakerMachine} as {@link ProviderBreaker}, its events applied at once instead of
 * journaled, its timers fired by the replay. What it leaves out is only what a replay cannot know:
 * the cooldown's jitter (it takes the middle), and probes that never report back (a recorded call
 * always does, so a half-open circuit lets every request probe).
 */
final class ReplayedBreaker {
  /** One move of the circuit. */
  record Move(Instant at, Circuit circuit, Optional<TripReason> reason, double share) {}

  /** What a request finds at this circuit. */
  enum Gate { PASS, PROBE, REFUSE }

  private final BreakerScope scope;
  private final BreakerSettings settings;
  private final BreakerMachine machine;
  private final Consumer<Move> moves;

  private Phase phase = new Closed();
  private long rampCounter;
  /** When the breaker's own next probe goes, while half-open with active probing; else null. */
  private Instant nextActiveProbe;

  ReplayedBreaker(BreakerScope scope, BreakerSettings settings, Consumer<Move> moves) {
    this.scope = scope;
    this.settings = settings;
    this.machine = new BreakerMachine(scope, settings, new NoJitter());
    this.moves = moves;
  }

  BreakerScope scope() {
    return scope;
  }

  Circuit circuit() {
    return phase.view().circuit();
  }

  /** The next moment a timer of the current phase fires; Instant.MAX when none. */
  Instant nextDeadline() {
    Instant timer = phase instanceof Open open ? open.until()
        : phase instanceof Recovering ramp ? ramp.until() : Instant.MAX;
    return nextActiveProbe != null && nextActiveProbe.isBefore(timer) ? nextActiveProbe : timer;
  }

  /** Whether the breaker's own probe is due at {@code now}. */
  boolean activeProbeDue(Instant now) {
    return nextActiveProbe != null && !nextActiveProbe.isAfter(now);
  }

  /** The breaker's own probe went; its outcome follows at once. */
  void activeProbeSent() {
    nextActiveProbe = null;
  }

  /** Fires the phase timer if it is due at {@code now}: the cooldown's end, or a ramp stage's. */
  void fireTimer(Instant now) {
    if (phase instanceof Open open && !open.until().isAfter(now)) {
      move(machine.cooldownOver(open, open.until()));
    } else if (phase instanceof Recovering ramp && !ramp.until().isAfter(now)) {
      move(machine.stageOver(ramp, ramp.until()));
    }
  }

  /** What a request finds now; a request let through while ramping counts towards the share. */
  Gate gate() {
    if (phase instanceof HalfOpen) return settings.activeProbe() ? Gate.REFUSE : Gate.PROBE;
    if (phase instanceof Recovering ramp) {
      return RampAdmission.admits(rampCounter++, ramp.share()) ? Gate.PASS : Gate.REFUSE;
    }
    return phase.view().circuit() == Circuit.CLOSED ? Gate.PASS : Gate.REFUSE;
  }

  /** An answer reached this circuit; {@code probe} when it was this circuit's probe. */
  void answered(Instant now, long latencyMillis, boolean probe) {
    judged(machine.answered(phase, now, latencyMillis, probe), now, probe);
  }

  /** A failure reached this circuit (the replay passes only those the coordinator would tell it). */
  void failed(Instant now, ProviderFailure failure, boolean probe) {
    judged(machine.failed(phase, now, failure, probe), now, probe);
  }

  /** A move, or, after a probe that decided none, the breaker's own next probe after the interval. */
  private void judged(Optional<BreakerEvent> event, Instant now, boolean probe) {
    if (event.isPresent()) {
      move(event.get());
    } else if (phase instanceof HalfOpen && probe && settings.activeProbe()) {
      nextActiveProbe = now.plus(settings.activeProbeInterval());
    }
  }

  private void move(BreakerEvent event) {
    phase = BreakerMachine.apply(phase, event);
    machine.entered(phase);
    nextActiveProbe = phase instanceof HalfOpen && settings.activeProbe() ? event.at() : null;
    Optional<TripReason> reason = event instanceof Tripped tripped
        ? Optional.of(tripped.evidence().reason()) : Optional.empty();
    moves.accept(new Move(event.at(), phase.view().circuit(), reason, phase.view().share()));
  }

  /** Draws 0.5 for every jitter: the cooldown's middle. */
  private static final class NoJitter implements RandomGenerator {
    @Override
    public long nextLong() {
      return 0;
    }

    @Override
    public double nextDouble() {
      return 0.5;
    }
  }
}
