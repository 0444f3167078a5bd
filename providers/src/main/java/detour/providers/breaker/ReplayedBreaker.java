package detour.providers.breaker;

import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.TripReason;
import detour.providers.breaker.BreakerState.Circuit;
import detour.providers.model.ProviderFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * One breaker's phase machine run on recorded time instead of the clock, for the what-if replay.
 * It judges with the same parts as {@link ProviderBreaker} ({@link OutcomeJudge}, {@link TripRules},
 * {@link CooldownPolicy}) and moves between the same phases on the same conditions; what it leaves
 * out is only what a replay cannot know: the cooldown's jitter (it takes the middle), and probes
 * that never report back (a recorded call always does).
 */
final class ReplayedBreaker {
  /** One move of the circuit. */
  record Move(Instant at, Circuit circuit, Optional<TripReason> reason, double share) {}

  /** What a request finds at this circuit. */
  enum Gate { PASS, PROBE, REFUSE }

  private final BreakerScope scope;
  private final BreakerSettings settings;
  private final OutcomeJudge judge;
  private final CooldownPolicy cooldowns;
  private final Consumer<Move> moves;

  private Circuit circuit = Circuit.CLOSED;
  private Instant until = Instant.MAX;
  private int reopens;
  private int probesPassed;
  private int stage;
  private double share = 1;
  private long rampCounter;
  /** When the breaker's own next probe goes, while half-open with active probing; else null. */
  private Instant nextActiveProbe;

  ReplayedBreaker(BreakerScope scope, BreakerSettings settings, Consumer<Move> moves) {
    this.scope = scope;
    this.settings = settings;
    this.judge = new OutcomeJudge(settings, !scope.providerWide());
    this.cooldowns = new CooldownPolicy(settings, new NoJitter());
    this.moves = moves;
  }

  BreakerScope scope() {
    return scope;
  }

  Circuit circuit() {
    return circuit;
  }

  /** The next moment a timer of the current phase fires; Instant.MAX when none. */
  Instant nextDeadline() {
    Instant timer = circuit == Circuit.OPEN || circuit == Circuit.RECOVERING ? until : Instant.MAX;
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
    if (circuit == Circuit.OPEN && !until.isAfter(now)) {
      enterHalfOpen(until);
    } else if (circuit == Circuit.RECOVERING && !until.isAfter(now)) {
      int next = stage + 1;
      if (next >= settings.rampStages().size()) {
        enterClosed(until);
      } else {
        enterStage(until, next);
      }
    }
  }

  /** What a request finds at {@code now}; a request let through while ramping counts towards the share. */
  Gate gate() {
    return switch (circuit) {
      case CLOSED -> Gate.PASS;
      case OPEN, DRAINED -> Gate.REFUSE;
      // Requests probe, one at a time, unless the breaker probes by itself. A replayed probe reports at once.
      case HALF_OPEN -> settings.activeProbe() ? Gate.REFUSE : Gate.PROBE;
      case RECOVERING -> RampAdmission.admits(rampCounter++, share) ? Gate.PASS : Gate.REFUSE;
    };
  }

  /** An answer reached this circuit; {@code probe} when it was this circuit's probe. */
  void answered(Instant now, long latencyMillis, boolean probe) {
    switch (circuit) {
      case CLOSED -> tripIf(judge.success(now, latencyMillis, settings.minimumCalls()), now, false);
      case RECOVERING -> tripIf(judge.success(now, latencyMillis, settings.rampMinimumCalls()), now, true);
      case HALF_OPEN -> {
        if (!probe) return;
        probesPassed++;
        if (probesPassed >= settings.halfOpenProbes()) {
          firstStageOrClosed(now);
        } else if (settings.activeProbe()) {
          nextActiveProbe = now.plus(settings.activeProbeInterval());
        }
      }
      default -> { }
    }
  }

  /** A failure reached this circuit (the replay passes only those the coordinator would tell it). */
  void failed(Instant now, ProviderFailure failure, boolean probe) {
    switch (circuit) {
      case CLOSED -> tripIf(judge.failure(now, failure, settings.minimumCalls()), now, false);
      case RECOVERING -> tripIf(judge.failure(now, failure, settings.rampMinimumCalls()), now, true);
      case HALF_OPEN -> {
        if (!probe) return;
        if (!failure.kind().blame().fallsOn(scope)) {
          // The probe proved nothing about this circuit: the next may try.
          if (settings.activeProbe()) nextActiveProbe = now.plus(settings.activeProbeInterval());
          return;
        }
        judge.note(now, failure);
        trip(now, reopens + 1, TripReason.PROBE_FAILED);
      }
      default -> { }
    }
  }

  private void tripIf(Optional<TripReason> verdict, Instant now, boolean ramping) {
    if (verdict.isEmpty()) return;
    trip(now, ramping ? reopens + 1 : 0, ramping ? TripReason.RAMP_FAILED : verdict.get());
  }

  private void trip(Instant now, int reopensNow, TripReason reason) {
    Duration cooldown = cooldowns.cooldown(reopensNow, judge.retryAfterFloor(now));
    reopens = reopensNow;
    until = now.plus(cooldown);
    circuit = Circuit.OPEN;
    nextActiveProbe = null;
    judge.restartCounting();
    moves.accept(new Move(now, Circuit.OPEN, Optional.of(reason), 0));
  }

  private void enterHalfOpen(Instant at) {
    circuit = Circuit.HALF_OPEN;
    probesPassed = 0;
    until = Instant.MAX;
    nextActiveProbe = settings.activeProbe() ? at : null;
    judge.restartCounting();
    moves.accept(new Move(at, Circuit.HALF_OPEN, Optional.empty(), 0));
  }

  private void firstStageOrClosed(Instant now) {
    if (settings.rampStages().isEmpty()) {
      enterClosed(now);
    } else {
      enterStage(now, 0);
    }
  }

  private void enterStage(Instant at, int next) {
    List<Double> stages = settings.rampStages();
    circuit = Circuit.RECOVERING;
    stage = next;
    share = stages.get(next);
    until = at.plus(settings.rampStageDuration());
    nextActiveProbe = null;
    judge.restartCounting();
    moves.accept(new Move(at, Circuit.RECOVERING, Optional.empty(), share));
  }

  private void enterClosed(Instant at) {
    circuit = Circuit.CLOSED;
    until = Instant.MAX;
    share = 1;
    reopens = 0;
    nextActiveProbe = null;
    judge.forgetAll();
    moves.accept(new Move(at, Circuit.CLOSED, Optional.empty(), 1));
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
