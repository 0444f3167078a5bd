package detour.persistence.breaker;

/** Whom a failure counts against. */
public enum Blame {
  /** The whole provider: its endpoint, its network, or our key with it. */
  PROVIDER,
  /** The one model the call asked for: its capacity, its rate limit, its own faults. */
  MODEL,
  /** Nobody: the caller's request or the caller's own choice. */
  NOBODY
}
