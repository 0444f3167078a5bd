package detour.providers.breaker;

import detour.persistence.breaker.BreakerEvent;
import detour.persistence.breaker.BreakerEvent.Drained;
import detour.persistence.breaker.BreakerEvent.ForcedClosed;
import detour.persistence.breaker.BreakerEvent.ForcedOpen;
import detour.persistence.breaker.BreakerEvent.ProbingStarted;
import detour.persistence.breaker.BreakerEvent.RampAdvanced;
import detour.persistence.breaker.BreakerEvent.Recovered;
import detour.persistence.breaker.BreakerEvent.Reset;
import detour.persistence.breaker.BreakerEvent.Tripped;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.TripReason;
import detour.providers.breaker.ProviderBreaker.Closed;
import detour.providers.breaker.ProviderBreaker.HalfOpen;
import detour.providers.breaker.ProviderBreaker.Open;
import detour.providers.breaker.ProviderBreaker.OutOfRotation;
import detour.providers.breaker.ProviderBreaker.Phase;
import detour.providers.breaker.ProviderBreaker.PinnedClosed;
import detour.providers.breaker.ProviderBreaker.Recovering;
import detour.providers.model.ProviderFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The breaker's rules and nothing else: no actor, no timer, no journal, no clock of its own. Given
 * a phase, an input and the time, it says which event to journal (none, most of the time);
 * {@link #apply} gives the phase after an event, and {@link #entered} starts the phase's counting.
 * {@link ProviderBreaker} drives it live, the router's what-if replay ({@code
 * detour.router.whatif.ReplayedBreaker}) on recorded time, and {@link LocalJudge} drives its
 * judging while the breaker's owner cannot be reached.
 *
 * <pre>
 * Closed     answered | failed ──a rule fires──► Tripped (reopens 0)
 * Open       cooldownOver ──► ProbingStarted
 * HalfOpen   answered(probe) ──the last probe needed──► RampAdvanced stage 0, or Recovered
 *            failed(probe, blamed here) ──► Tripped (reopens + 1, PROBE_FAILED)
 * Recovering answered | failed ──a rule fires──► Tripped (reopens + 1, RAMP_FAILED)
 *            stageOver ──► RampAdvanced next stage, or Recovered after the last
 * any        an operator's order ──► ForcedOpen, ForcedClosed, Drained, Reset
 * </pre>
 *
 * <p>What it holds is what the phases count but never journal: the outcomes ({@link OutcomeJudge});
 * a half-open phase holds its own probe permit and count ({@link ProbeTrial}). Losing either costs
 * only a recount. Not thread-safe: one driver owns it.
 *
 * <p>Public for whoever replays the breaker's rules outside this package (the what-if replay):
 * only the inputs, the moves and the constructor are; the rules beneath stay package-private.
 */
public final class BreakerMachine {
  private final BreakerScope scope;
  private final BreakerSettings settings;
  private final OutcomeJudge judge;
  private final CooldownPolicy cooldowns;

  /** @param random draws the cooldown's jitter */
  public BreakerMachine(BreakerScope scope, BreakerSettings settings, RandomGenerator random) {
    this.scope = scope;
    this.settings = settings;
    this.judge = new OutcomeJudge(settings, !scope.providerWide());
    this.cooldowns = new CooldownPolicy(settings, random);
  }

  // ---- Inputs: each returns the event to journal, if any -----------------------------------

  /** A call answered; {@code probe} when it was this circuit's probe. */
  public Optional<BreakerEvent> answered(Phase phase, Instant now, long latencyMillis, boolean probe) {
    if (phase instanceof Closed) return tripIf(judgeAnswer(now, latencyMillis, false), now, false, 0);
    if (phase instanceof Recovering ramp) {
      return tripIf(judgeAnswer(now, latencyMillis, true), now, true, ramp.reopens() + 1);
    }
    if (phase instanceof PinnedClosed) judgeAnswer(now, latencyMillis, false);  // for the record only
    if (phase instanceof HalfOpen halfOpen && probe) {
      halfOpen.trial().release();
      boolean enough = halfOpen.trial().passed() >= halfOpen.probes();
      return enough ? Optional.of(firstStageOrRecovered(now)) : Optional.empty();
    }
    return Optional.empty();  // a call begun before the trip, or while drained
  }

  /** A call failed; the machine decides whether it counts. */
  public Optional<BreakerEvent> failed(Phase phase, Instant now, ProviderFailure failure, boolean probe) {
    if (phase instanceof Closed) return tripIf(judgeFailure(now, failure, false), now, false, 0);
    if (phase instanceof Recovering ramp) {
      return tripIf(judgeFailure(now, failure, true), now, true, ramp.reopens() + 1);
    }
    if (phase instanceof PinnedClosed) judgeFailure(now, failure, false);  // for the record only
    if (phase instanceof HalfOpen halfOpen && probe) {
      if (!failure.kind().blame().fallsOn(scope)) {
        // The probe proved nothing about this scope (a client error, or a fault blamed on the
        // other circuit the call passed through): the permit is free for the next.
        halfOpen.trial().release();
        return Optional.empty();
      }
      judge.note(now, failure);
      return Optional.of(trip(now, halfOpen.reopens() + 1, TripReason.PROBE_FAILED));
    }
    return Optional.empty();
  }

  /** The open period ended. */
  public ProbingStarted cooldownOver(Open open, Instant now) {
    return new ProbingStarted(scope, now, settings.halfOpenProbes());
  }

  /** A ramp stage was held healthy: the next stage, or closed after the last. */
  public BreakerEvent stageOver(Recovering ramp, Instant now) {
    int next = ramp.stage() + 1;
    if (next >= settings.rampStages().size()) return new Recovered(scope, now);
    return new RampAdvanced(scope, now, next, settings.rampStages().get(next), now.plus(settings.rampStageDuration()));
  }

  // ---- The rules beneath, for a driver that journals nothing (LocalJudge) ------------------

  /** Counts an answer while traffic flows; the rule it completes, if any (slow calls). */
  Optional<TripReason> judgeAnswer(Instant now, long latencyMillis, boolean ramping) {
    return judge.success(now, latencyMillis, minimumCalls(ramping));
  }

  /** Counts a failure while traffic flows, if it is anyone's fault upstream; the rule it completes, if any. */
  Optional<TripReason> judgeFailure(Instant now, ProviderFailure failure, boolean ramping) {
    return judge.failure(now, failure, minimumCalls(ramping));
  }

  /** The trip a rule calls for: its cooldown grown by {@code reopens}, floored by any Retry-After. */
  Tripped trip(Instant now, int reopens, TripReason reason) {
    Duration cooldown = cooldowns.cooldown(reopens, judge.retryAfterFloor(now));
    return new Tripped(scope, now, now.plus(cooldown), reopens, judge.evidence(reason, now).withCooldown(cooldown));
  }

  /** Forgets the counts (the Retry-After is kept): what follows is judged on its own evidence. */
  void restartCounting() {
    judge.restartCounting();
  }

  /** Forgets everything counted. */
  void forgetAll() {
    judge.forgetAll();
  }

  /** What the window holds now. */
  WindowStats stats(Instant now) {
    return judge.stats(now);
  }

  // ---- Moves ---------------------------------------------------------------------------------

  /**
   * Being in a phase, reached live or by replay: a closed circuit forgets everything; any other
   * phase (an open circuit's probes, each ramp stage) counts afresh.
   */
  public void entered(Phase phase) {
    if (phase instanceof Closed || phase instanceof PinnedClosed) {
      judge.forgetAll();
    } else {
      judge.restartCounting();
    }
  }

  /** The only place a phase moves: the breaker's event handler, its recovery and the replay call it. */
  public static Phase apply(Phase phase, BreakerEvent event) {
    // An operator's override applies in any phase.
    if (event instanceof ForcedOpen e) return new Open(e.until(), 0, null);
    if (event instanceof ForcedClosed e) return new PinnedClosed(e.operator(), e.reason());
    if (event instanceof Drained e) return new OutOfRotation(e.operator(), e.reason());
    if (event instanceof Reset) return new Closed();
    if (phase instanceof Closed closed && event instanceof Tripped e) return closed.trip(e);
    if (phase instanceof Open open && event instanceof ProbingStarted e) return open.probe(e);
    if (phase instanceof HalfOpen halfOpen) {
      if (event instanceof RampAdvanced e) return halfOpen.ramp(e);
      if (event instanceof Recovered e) return halfOpen.recover(e);
      if (event instanceof Tripped e) return halfOpen.reopen(e);
    }
    if (phase instanceof Recovering ramp) {
      if (event instanceof RampAdvanced e) return ramp.advance(e);
      if (event instanceof Recovered e) return ramp.recover(e);
      if (event instanceof Tripped e) return ramp.reopen(e);
    }
    throw new IllegalStateException("no move from " + phase + " on " + event.getClass().getSimpleName());
  }

  private Optional<BreakerEvent> tripIf(Optional<TripReason> verdict, Instant now, boolean ramping, int reopens) {
    // While ramping, whichever rule caught it is a failed ramp: the provider had not yet earned its way back.
    return verdict.map(reason -> trip(now, reopens, ramping ? TripReason.RAMP_FAILED : reason));
  }

  private BreakerEvent firstStageOrRecovered(Instant now) {
    if (settings.rampStages().isEmpty()) return new Recovered(scope, now);
    return new RampAdvanced(scope, now, 0, settings.rampStages().get(0), now.plus(settings.rampStageDuration()));
  }

  private int minimumCalls(boolean ramping) {
    return ramping ? settings.rampMinimumCalls() : settings.minimumCalls();
  }
}
