package detour.persistence.breaker;

/**
 * Every way an upstream call can fail, each with its two answers: whom it counts against, and
 * whether the request moves on to the next candidate. This table is the single source of that
 * decision for the breaker, the coordinator and docs/breaker.md. Journaled by name inside
 * {@link Evidence}: add constants, never rename or remove one.
 */
public enum FailureKind {
  // Transport: the provider's endpoint cannot be reached or dropped us.
  /** TCP connection refused. */
  CONNECT_REFUSED(Blame.PROVIDER, true),
  /** Connection reset or closed before a complete answer. */
  CONNECTION_RESET(Blame.PROVIDER, true),
  /** The provider's host name did not resolve. */
  DNS(Blame.PROVIDER, true),
  /** The TLS handshake failed. */
  TLS(Blame.PROVIDER, true),

  // Timeouts.
  /** No TCP (and TLS) connection within {@code connect-timeout}. */
  CONNECT_TIMEOUT(Blame.PROVIDER, true),
  /**
   * A stream sent no first content (text, a tool call or a finish) within {@code first-token-timeout},
   * or fell silent for {@code inter-token-timeout} before it.
   */
  FIRST_TOKEN_TIMEOUT(Blame.MODEL, true),
  /** A stream fell silent for {@code inter-token-timeout} after its first content. */
  INTER_TOKEN_TIMEOUT(Blame.MODEL, true),
  /** No complete answer within {@code attempt-timeout} (or an upstream 408). */
  TOTAL_TIMEOUT(Blame.MODEL, true),

  // The provider answered with its own fault.
  /** 5xx other than 503 and 529; a 2xx body that is not a completion. */
  SERVER_ERROR(Blame.MODEL, true),
  /** 503 or 529: the provider is overloaded. */
  OVERLOADED(Blame.MODEL, true),
  /** 429, with or without Retry-After. Fails the request over; opens only when sustained. */
  RATE_LIMITED(Blame.MODEL, true),
  /** 401, 403: our key is refused, so every call to this provider will fail. */
  AUTH(Blame.PROVIDER, true),
  /** 402, or a 429 saying our account is out of credit: no wait will help. */
  QUOTA(Blame.PROVIDER, true),
  /**
   * 404: the provider does not know the model (or the path). The model name comes from our
   * catalogue, not from the caller, so this is our configuration's fault, not the caller's.
   */
  NOT_FOUND(Blame.MODEL, true),
  /** A 3xx where an API answers: a base-url that points at the wrong place (http for https). */
  MISCONFIGURED(Blame.PROVIDER, true),

  // The caller's request.
  /** The prompt does not fit this model's window: moves on only to a candidate with a larger one. */
  CONTEXT_TOO_LONG(Blame.NOBODY, true),
  /** The provider's content policy refused the request: returned as is. */
  CONTENT_POLICY(Blame.NOBODY, false),
  /** 400, 422 and other 4xx: the caller's own mistake, returned as is. */
  BAD_REQUEST(Blame.NOBODY, false),
  /**
   * The request's body is more than the provider takes in: its 413, or no answer at all (a broken
   * connection, a timeout) to a body above 1 MiB larger than any it has answered. Moves on only to
   * another provider (a provider's limit is its endpoint's, the same for all its models); the
   * caller gets a 413 when none is left.
   */
  REQUEST_TOO_LARGE(Blame.NOBODY, true),

  // The caller's choices, and our own limits.
  /**
   * A call Detour gave up with nobody upstream to blame: the caller went away during its stream, a
   * hedge's losing attempt was stopped, or a probe permit came too late to be used (given back).
   */
  CANCELLED(Blame.NOBODY, false),
  /** The request's own deadline passed during the attempt. */
  DEADLINE(Blame.NOBODY, false),
  /** Detour's own queue for this provider was full: try the next, blame nobody upstream. */
  SHED(Blame.NOBODY, true);

  private final Blame blame;
  private final boolean failsOver;

  FailureKind(Blame blame, boolean failsOver) {
    this.blame = blame;
    this.failsOver = failsOver;
  }

  /**
   * The class journaled under {@code name}; a name this version does not know (written by a newer
   * one) reads as {@link #SERVER_ERROR}, a fault of the model's, so that it is never taken for a
   * healthy call.
   */
  public static FailureKind fromName(String name) {
    try {
      return valueOf(name);
    } catch (IllegalArgumentException unknown) {
      return SERVER_ERROR;
    }
  }

  /** Whom the breakers count it against. */
  public Blame blame() {
    return blame;
  }

  /** Whether it counts against the provider or one of its models: the breaker's evidence. */
  public boolean providersFault() {
    return blame != Blame.NOBODY;
  }

  /** Whether the coordinator moves on to the next candidate. */
  public boolean failsOver() {
    return failsOver;
  }
}
