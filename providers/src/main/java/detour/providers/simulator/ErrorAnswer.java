package detour.providers.simulator;

import java.util.OptionalInt;

/**
 * An error a protocol answers with: the HTTP status, the protocol's JSON error body, and the
 * seconds for a {@code Retry-After} header when one is to be sent.
 */
record ErrorAnswer(int status, byte[] body, OptionalInt retryAfterSeconds) {

  /** An error without {@code Retry-After}. */
  ErrorAnswer(int status, byte[] body) {
    this(status, body, OptionalInt.empty());
  }

  /** A chat request a protocol refuses before any behaviour applies (bad body, missing key). */
  static final class Refused extends Exception {
    private final transient ErrorAnswer answer;

    Refused(ErrorAnswer answer) {
      super("refused with " + answer.status(), null, false, false);
      this.answer = answer;
    }

    /** What the client gets. */
    ErrorAnswer answer() {
      return answer;
    }
  }
}
