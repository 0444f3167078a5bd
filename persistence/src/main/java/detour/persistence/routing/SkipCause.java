package detour.persistence.routing;

import com.fasterxml.jackson.annotation.JsonCreator;

/**
 * Why a candidate was passed over without a call (or, for {@link #ABANDONED}, given up on while
 * its call ran); the failure classes ({@code FailureKind}) cover the calls that failed. Decided
 * where the coordinator passes the candidate over, and carried from there on its attempt, never
 * read back out of the reason's wording. Journaled by name in the routing record: add constants,
 * never rename or remove one.
 */
public enum SkipCause {
  /** Its circuit (the provider's or the model's) was open, or two of the provider's models were. */
  CIRCUIT_OPEN,
  /** Its circuit was half-open and another request held the probe. */
  CIRCUIT_HALF_OPEN,
  /** Its circuit was recovering and the request was not one of the ramp stage's share. */
  RAMPING,
  /** An operator drained it. */
  DRAINED,
  /** Its context window is no larger than the one that refused the prompt. */
  CONTEXT_WINDOW,
  /**
   * It could not be called at all: its provider's required key is missing, or its provider
   * already refused the request's body as too large.
   */
  UNUSABLE,
  /** Its model lacks a capability the request uses, or its protocol cannot express the request. */
  INCAPABLE,
  /**
   * The route's guardrails refused it: by what the catalogue says of it (family, tier, price), or
   * by the request (estimated cost, window) or its observed latency.
   */
  GUARDRAIL,
  /** It was running when another candidate answered first (a hedge), and was given up on. */
  ABANDONED;

  /**
   * The cause journaled under {@code name}; a name this version does not know (written by a newer
   * one) reads as {@link #UNUSABLE}: passed over, for a reason this version cannot name.
   */
  @JsonCreator
  public static SkipCause fromName(String name) {
    try {
      return valueOf(name);
    } catch (IllegalArgumentException | NullPointerException unknown) {
      return UNUSABLE;
    }
  }
}
