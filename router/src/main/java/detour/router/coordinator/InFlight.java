package detour.router.coordinator;

import detour.persistence.breaker.BreakerScope;
import detour.router.config.Candidate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One attempt of a request while it runs: which candidate, under which permit, since when, and
 * its stream once one opened. Owned by its coordinator; never shared.
 */
final class InFlight {
  final int index;
  final Candidate candidate;
  /** The scope of the breaker whose probe this is, or null. */
  final BreakerScope probeScope;
  final boolean lastResort;
  final boolean hedge;
  final long startedNanos = System.nanoTime();
  /** The time it may take (to its answer, or to its first content when streamed). */
  Duration budget;
  /** Its stream, once the upstream started streaming. */
  StreamAttempt stream;
  /** Whether the coordinator gave up on it at its own timeout: it may still run at the provider. */
  boolean timedOut;

  InFlight(int index, Candidate candidate, BreakerScope probeScope, boolean lastResort, boolean hedge) {
    this.index = index;
    this.candidate = candidate;
    this.probeScope = probeScope;
    this.lastResort = lastResort;
    this.hedge = hedge;
  }

  boolean isProbe(BreakerScope scope) {
    return scope.equals(probeScope);
  }

  long elapsedMillis() {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
  }

  /** The timer that bounds this attempt. */
  Object timerKey() {
    return "attempt-" + index;
  }

  /** Stops its stream, if one opened: the upstream request is cancelled. */
  void stopStream() {
    if (stream != null) stream.killSwitch().shutdown();
  }
}
