package detour.persistence.routing;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import detour.persistence.breaker.FailureKind;

/**
 * Why a recorded request did not take a candidate: the failure class of its call, or, when it
 * made none, its {@link SkipCause}; exactly one of the two. Journaled as that constant's name
 * ({@code "OVERLOADED"}, {@code "CIRCUIT_OPEN"}): the two enums share no name.
 *
 * @param failure the failure class of the call that failed; null when the candidate was skipped
 * @param skip why the candidate was passed over without a call; null when its call failed
 */
public record PassCause(FailureKind failure, SkipCause skip) implements Comparable<PassCause> {
  public PassCause {
    if ((failure == null) == (skip == null)) {
      throw new IllegalArgumentException("a pass-over cause is a failure class or a skip cause, not " + failure
          + " and " + skip);
    }
  }

  public static PassCause of(FailureKind failure) {
    return new PassCause(failure, null);
  }

  public static PassCause of(SkipCause skip) {
    return new PassCause(null, skip);
  }

  /**
   * The cause journaled under {@code name}: a skip cause by that name, else a failure class, a
   * name neither enum knows (written by a newer version) reading as {@link FailureKind#fromName}
   * reads it, a fault, never a healthy call.
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static PassCause fromName(String name) {
    for (SkipCause cause : SkipCause.values()) {
      if (cause.name().equals(name)) return of(cause);
    }
    return of(FailureKind.fromName(name));
  }

  /** The journaled name. */
  @JsonValue
  public String name() {
    return failure != null ? failure.name() : skip.name();
  }

  /** By name: the order the routing record writes its failovers in. */
  @Override
  public int compareTo(PassCause other) {
    return name().compareTo(other.name());
  }

  @Override
  public String toString() {
    return name();
  }
}
