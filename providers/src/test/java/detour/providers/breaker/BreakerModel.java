package detour.providers.breaker;

import detour.persistence.breaker.Blame;
import detour.persistence.breaker.FailureKind;
import detour.persistence.breaker.TripReason;
import detour.providers.breaker.BreakerState.Circuit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The breaker's rules as docs/breaker.md states them, written again from the page and nothing
 * else: no class of the breaker's own is used (only its settings record and the blame table of
 * {@link FailureKind}). The properties drive it beside the real machine and compare the two.
 *
 * <p>It does not draw the cooldown's jitter: a trip leaves the documented bounds of the open period
 * in {@link #cooldownBounds}, and the driver hands back the end the machine chose once it has
 * checked it lies within them ({@link #adoptUntil}).
 */
final class BreakerModel {
  enum Phase { CLOSED, OPEN, HALF_OPEN, RECOVERING, PINNED_CLOSED, DRAINED }

  /** An outcome the window counts: a fault class (null for an answer), and whether it was slow. */
  private record Counted(Instant at, FailureKind fault, boolean slow) {}

  /** The earliest and latest end the documented cooldown allows, both inclusive. */
  record Bounds(Instant earliest, Instant latest) {
    boolean holds(Instant until) {
      return !until.isBefore(earliest) && !until.isAfter(latest);
    }
  }

  private final BreakerSettings s;
  private final boolean providerWide;

  Phase phase = Phase.CLOSED;
  Instant until;
  int reopens;
  TripReason cause;
  int stage;
  /** Set by a trip until the driver adopts the machine's choice. */
  Bounds cooldownBounds;
  /** Every move so far, as {@code FROM->TO}, with the rule that opened it: what a run covered. */
  final List<String> moves = new ArrayList<>();

  private final List<Counted> window = new ArrayList<>();
  private int faultsInARow;
  private int rateLimitsInARow;
  private Instant retryNotBefore = Instant.EPOCH;
  private boolean permitOut;
  private Instant leaseEnds;
  private int probesPassed;

  BreakerModel(BreakerSettings settings, boolean providerWide) {
    this.s = settings;
    this.providerWide = providerWide;
  }

  // ---- Outcomes ---------------------------------------------------------------------------------

  void answered(Instant now, long latencyMillis, boolean probe) {
    switch (phase) {
      case CLOSED, RECOVERING, PINNED_CLOSED -> {
        faultsInARow = 0;
        rateLimitsInARow = 0;
        boolean slow = !providerWide && latencyMillis >= s.slowCallDuration().toMillis();
        window.add(new Counted(now, null, slow));
        judge(now);
      }
      case HALF_OPEN -> {
        if (!probe) return;  // begun before the trip
        permitOut = false;  // a probe's latency is not judged: a slow answer passes
        if (++probesPassed >= s.halfOpenProbes()) {
          if (s.rampStages().isEmpty()) enterClosed(); else enterStage(now, 0);
        }
      }
      default -> { }  // OPEN and DRAINED ignore every outcome
    }
  }

  /** A node's batch of answers: each counts as one, and none after a trip. */
  void answeredBatch(Instant now, List<Long> latencies) {
    if (phase == Phase.HALF_OPEN) return;  // batches hold no probes
    for (long latency : latencies) {
      if (phase != Phase.CLOSED && phase != Phase.RECOVERING && phase != Phase.PINNED_CLOSED) return;
      answered(now, latency, false);
    }
  }

  void failed(Instant now, FailureKind kind, Duration retryAfter, boolean probe) {
    switch (phase) {
      case CLOSED, RECOVERING, PINNED_CLOSED -> {
        if (kind.blame() == Blame.NOBODY) return;  // counts nowhere, breaks no run
        noteRetryAfter(now, retryAfter);
        if (kind == FailureKind.RATE_LIMITED) rateLimitsInARow++; else faultsInARow++;
        window.add(new Counted(now, kind, false));
        judge(now);
      }
      case HALF_OPEN -> {
        if (!probe) return;
        if (kind.blame() != (providerWide ? Blame.PROVIDER : Blame.MODEL)) {
          permitOut = false;  // proves nothing here: the next request may probe
          return;
        }
        noteRetryAfter(now, retryAfter);
        trip(now, reopens + 1, TripReason.PROBE_FAILED);
      }
      default -> { }
    }
  }

  /** Whether a request that asks for a probe permit gets one. */
  boolean askForProbe(Instant now) {
    switch (phase) {
      case OPEN, DRAINED:
        return false;
      case HALF_OPEN:
        if (permitOut) return false;  // one at a time
        permitOut = true;
        leaseEnds = now.plus(s.probeLease());
        return true;
      default:
        return true;
    }
  }

  // ---- Time -------------------------------------------------------------------------------------

  /** The next moment a timer fires, or null: the cooldown's end, a stage's end, a probe's lease. */
  Instant nextDeadline() {
    if (phase == Phase.OPEN || phase == Phase.RECOVERING) return until;
    if (phase == Phase.HALF_OPEN && permitOut) return leaseEnds;
    return null;
  }

  /** The timer of {@link #nextDeadline} fires at {@code now}. */
  void deadlineReached(Instant now) {
    switch (phase) {
      case OPEN -> enter(Phase.HALF_OPEN);
      case RECOVERING -> {
        if (stage + 1 < s.rampStages().size()) enterStage(now, stage + 1); else enterClosed();
      }
      case HALF_OPEN -> {
        permitOut = false;  // the lease is reclaimed: another may probe
        moves.add("HALF_OPEN lease reclaimed");
      }
      default -> throw new IllegalStateException("no timer runs in " + phase);
    }
  }

  // ---- Operators --------------------------------------------------------------------------------

  void forceOpen(Instant now, Duration duration) {
    enter(Phase.OPEN);
    until = now.plus(duration);
    reopens = 0;
    cause = null;
    moves.set(moves.size() - 1, moves.get(moves.size() - 1) + " forced");
  }

  void pinClosed() {
    enter(Phase.PINNED_CLOSED);
    forgetRetryAfter();
  }

  void drain() {
    enter(Phase.DRAINED);
  }

  void reset() {
    enterClosed();
  }

  /** A restart keeps the journaled phase and loses what is counted in fields. */
  void restarted() {
    window.clear();
    faultsInARow = 0;
    rateLimitsInARow = 0;
    permitOut = false;
    probesPassed = 0;
    forgetRetryAfter();
  }

  /** The machine chose this end of the open period, within {@link #cooldownBounds}. */
  void adoptUntil(Instant chosen) {
    until = chosen;
    cooldownBounds = null;
  }

  /** What the request path should read now. */
  BreakerState view() {
    return switch (phase) {
      case CLOSED, PINNED_CLOSED -> BreakerState.CLOSED;
      case DRAINED -> BreakerState.DRAINED;
      case OPEN -> BreakerState.open(until, reopens, cause);
      case HALF_OPEN -> BreakerState.halfOpen(reopens);
      case RECOVERING -> BreakerState.recovering(s.rampStages().get(stage), until, reopens);
    };
  }

  Circuit circuit() {
    return view().circuit();
  }

  // ---- The rules --------------------------------------------------------------------------------

  /** The trip rules, in the documented order; a pinned circuit counts but opens nothing. */
  private void judge(Instant now) {
    if (phase == Phase.PINNED_CLOSED) return;
    boolean ramping = phase == Phase.RECOVERING;
    TripReason fired = firstRuleThatFires(now, ramping ? s.rampMinimumCalls() : s.minimumCalls());
    if (fired == null) return;
    if (ramping) trip(now, reopens + 1, TripReason.RAMP_FAILED); else trip(now, 0, fired);
  }

  private TripReason firstRuleThatFires(Instant now, int minimumCalls) {
    if (faultsInARow >= s.consecutiveFaults()) return TripReason.CONSECUTIVE_FAULTS;
    if (rateLimitsInARow >= s.consecutiveRateLimits()) return TripReason.RATE_LIMITS;
    // The window: the last window-size counted outcomes not older than window-duration.
    List<Counted> young = window.stream().filter(c -> !c.at().isBefore(now.minus(s.windowDuration()))).toList();
    List<Counted> held = young.subList(Math.max(0, young.size() - s.windowSize()), young.size());
    if (held.size() < minimumCalls) return null;
    double calls = held.size();
    long rateLimits = held.stream().filter(c -> c.fault() == FailureKind.RATE_LIMITED).count();
    long faults = held.stream().filter(c -> c.fault() != null).count() - rateLimits;
    long slow = held.stream().filter(Counted::slow).count();
    if (faults / calls >= s.failureRateThreshold()) return TripReason.FAILURE_RATE;
    if (rateLimits / calls >= s.rateLimitRateThreshold()) return TripReason.RATE_LIMITS;
    if (slow / calls >= s.slowCallRateThreshold()) return TripReason.SLOW_CALLS;
    return null;
  }

  /**
   * Open for {@code cooldown x multiplier^reopens} capped at max-cooldown, spread by +/- jitter and
   * capped again, never shorter than what is left of the latest Retry-After (itself capped).
   */
  private void trip(Instant now, int reopensNow, TripReason why) {
    double nominal = Math.min(s.cooldown().toMillis() * Math.pow(s.cooldownMultiplier(), reopensNow),
        s.maxCooldown().toMillis());
    double shortest = nominal * (1 - s.cooldownJitter());
    double longest = Math.min(nominal * (1 + s.cooldownJitter()), s.maxCooldown().toMillis());
    long retryLeft = Math.max(0, Duration.between(now, retryNotBefore).toMillis());
    long floor = Math.min(retryLeft, s.maxRetryAfter().toMillis());
    enter(Phase.OPEN);
    reopens = reopensNow;
    cause = why;
    moves.set(moves.size() - 1, moves.get(moves.size() - 1) + " " + why);
    // One millisecond either side: the machine keeps whole milliseconds.
    cooldownBounds = new Bounds(
        now.plusMillis(Math.max(floor, (long) Math.floor(shortest) - 1)),
        now.plusMillis(Math.max(floor, (long) Math.ceil(longest) + 1)));
    until = null;
  }

  private void enterStage(Instant now, int next) {
    enter(Phase.RECOVERING);
    stage = next;
    until = now.plus(s.rampStageDuration());
  }

  private void enterClosed() {
    enter(Phase.CLOSED);
    reopens = 0;
    forgetRetryAfter();
  }

  /** Each phase is judged on its own evidence, and no probe permit outlives its phase. */
  private void enter(Phase next) {
    moves.add(phase + "->" + next);
    phase = next;
    window.clear();
    faultsInARow = 0;
    rateLimitsInARow = 0;
    permitOut = false;
    probesPassed = 0;
    cause = null;
  }

  private void noteRetryAfter(Instant now, Duration retryAfter) {
    Instant at = now.plus(retryAfter);
    if (at.isAfter(retryNotBefore)) retryNotBefore = at;
  }

  private void forgetRetryAfter() {
    retryNotBefore = Instant.EPOCH;
  }
}
