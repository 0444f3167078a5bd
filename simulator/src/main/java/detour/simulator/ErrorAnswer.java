package detour.simulator;

import java.util.Map;
import java.util.OptionalInt;

/**
 * An error a protocol answers with: the HTTP status, the protocol's JSON error body, the seconds
 * for a {@code Retry-After} header when one is to be sent, and any other headers to send.
 */
record ErrorAnswer(int status, byte[] body, OptionalInt retryAfterSeconds, Map<String, String> headers) {

  ErrorAnswer {
    headers = Map.copyOf(headers);
  }

  /** An error with no header but {@code Retry-After}, when given. */
  ErrorAnswer(int status, byte[] body, OptionalInt retryAfterSeconds) {
    this(status, body, retryAfterSeconds, Map.of());
  }

  /** An error without {@code Retry-After}. */
  ErrorAnswer(int status, byte[] body) {
    this(status, body, OptionalInt.empty());
  }

  /** The answer of {@code echo-error} mode: its body, and the text in {@link Behaviour.EchoError#HEADER}. */
  static ErrorAnswer echoed(int status, byte[] body, String text) {
    return new ErrorAnswer(status, body, OptionalInt.empty(), Map.of(Behaviour.EchoError.HEADER, text));
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
