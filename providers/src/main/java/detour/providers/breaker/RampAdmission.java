package detour.providers.breaker;

/**
 * Which requests a recovering circuit lets through: the live fleet's and the what-if replay's one
 * rule. Evenly spaced rather than random: at 10 % exactly every tenth request goes, so a ramp stage
 * gets its share however little traffic there is, and tests can count on it.
 */
public final class RampAdmission {
  private RampAdmission() {}

  /**
   * @param n how many requests the ramp has counted before this one (from zero)
   * @param share the part of the traffic the stage takes, 0 to 1
   * @return whether request {@code n} is one of the {@code share}
   */
  public static boolean admits(long n, double share) {
    return Math.floor((n + 1) * share) > Math.floor(n * share);
  }
}
