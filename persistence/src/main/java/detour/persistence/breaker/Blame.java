package detour.persistence.breaker;

/**
 * Whom a failure counts against, and so which circuits hear of it: the one home of the routing the
 * coordinator does live and the what-if replay does again.
 */
public enum Blame {
  /** The whole provider: its endpoint, its network, or our key with it. */
  PROVIDER,
  /** The one model the call asked for: its capacity, its rate limit, its own faults. */
  MODEL,
  /** Nobody: the caller's request or the caller's own choice. */
  NOBODY;

  /** Whether this blame falls on the breaker of {@code scope}: the provider's, or a model's. */
  public boolean fallsOn(BreakerScope scope) {
    return this == (scope.providerWide() ? PROVIDER : MODEL);
  }

  /**
   * Whether the breaker of {@code scope}, which a failed call passed, is told of the failure: the
   * one it is blamed on, and the one whose probe the call was, whatever the blame, so that its
   * permit is never left hanging.
   */
  public static boolean isToldTo(FailureKind kind, BreakerScope scope, boolean probe) {
    return probe || kind.blame().fallsOn(scope);
  }
}
