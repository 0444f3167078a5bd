package detour.persistence.breaker;

/**
 * How an upstream call failed, as the breaker and the coordinator both judge it. Journaled by name
 * inside {@link Evidence}: add constants, never rename or remove one.
 */
public enum FailureKind {
  /** 5xx other than 529: the provider broke. */
  SERVER_ERROR(true, true),
  /** 529, or a provider's own "overloaded" answer. */
  OVERLOADED(true, true),
  /** Refused, reset or closed before a complete answer. */
  CONNECTION(true, true),
  /** No complete answer within the attempt's timeout. */
  TIMEOUT(true, true),
  /** 429. Fails the request over; counts against the provider. */
  RATE_LIMITED(true, true),
  /** 401, 402, 403: our key is refused, so every request to this provider will fail. */
  AUTH(true, true),
  /** The prompt does not fit this model's window: only a larger window can help. */
  CONTEXT_TOO_LONG(false, false),
  /** 400, 404, 422 and the like: the caller's own mistake, returned as is. */
  BAD_REQUEST(false, false),
  /** The caller went away; nobody's fault. */
  CANCELLED(false, false),
  /** Detour's own queue for this provider was full: try the next one, blame nobody upstream. */
  SHED(false, true);

  private final boolean providersFault;
  private final boolean failsOver;

  FailureKind(boolean providersFault, boolean failsOver) {
    this.providersFault = providersFault;
    this.failsOver = failsOver;
  }

  /** Whether the breaker counts this against the provider. */
  public boolean providersFault() {
    return providersFault;
  }

  /** Whether the coordinator moves on to the next candidate. */
  public boolean failsOver() {
    return failsOver;
  }
}
