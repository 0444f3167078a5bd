package detour.providers.breaker;

import java.util.Optional;

/**
 * A half-open phase's own counts, as Resilience4j's half-open state owns its own: whether its one
 * probe permit is out, the probes passed in a row, and the number of the breaker's own latest probe
 * (active probing only). Each {@link ProviderBreaker.HalfOpen} is born with a fresh one, so nothing
 * outside the phase needs resetting; never journaled (a restart begins the trial again). Not
 * thread-safe: the phase's one driver owns it.
 */
final class ProbeTrial {
  private boolean permitOut;
  private int passed;
  private int sent;

  /** Takes the permit if it is free. */
  boolean take() {
    if (permitOut) return false;
    permitOut = true;
    return true;
  }

  /** Takes the permit for the breaker's own probe: its number, or empty when one is out. */
  Optional<Integer> send() {
    return take() ? Optional.of(++sent) : Optional.empty();
  }

  /** Whether the breaker's own probe {@code probe} still decides: its lease has not run out. */
  boolean awaits(int probe) {
    return permitOut && probe == sent;
  }

  /** The permit is free again: the probe reported, or its lease ran out. */
  void release() {
    permitOut = false;
  }

  /** A probe passed; the probes passed in a row so far. */
  int passed() {
    return ++passed;
  }

  @Override
  public String toString() {
    return "ProbeTrial[permitOut=" + permitOut + ", passed=" + passed + "]";
  }
}
