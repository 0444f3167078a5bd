package detour.persistence.routing;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * How a recorded request ended. Journaled in lower case ({@code "deadline_exceeded"}) in the
 * routing record's outcomes and samples, as the request's log line writes it: add constants,
 * never rename or remove one.
 */
public enum Ending {
  /** Another candidate answered it. */
  ANSWERED,
  /** Another candidate streamed its answer: recorded at the stream's first content. */
  STREAMING,
  /** Another candidate refused it as the caller's mistake. */
  REJECTED,
  /** No candidate answered: every one failed or was passed over. */
  EXHAUSTED,
  /** The route's deadline passed before any candidate answered. */
  DEADLINE_EXCEEDED;

  /** The journaled name, in lower case. */
  @JsonValue
  public String journalName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The ending journaled under {@code name}; a name this version does not know (written by a newer
   * one) reads as {@link #EXHAUSTED}: a failure, never taken for an answer.
   */
  @JsonCreator
  public static Ending fromName(String name) {
    for (Ending ending : values()) {
      if (ending.journalName().equals(name)) return ending;
    }
    return EXHAUSTED;
  }

  /** Whether no candidate answered the request. */
  public boolean failed() {
    return this == EXHAUSTED || this == DEADLINE_EXCEEDED;
  }
}
