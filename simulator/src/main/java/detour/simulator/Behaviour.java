package detour.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * How a simulated instance answers chat requests: one immutable record per fault mode, parsed from
 * and rendered to the control endpoint's JSON ({@code {"mode":"error","status":503}}). The same
 * behaviour is in force for the three protocols an instance speaks (OpenAI, Anthropic, Gemini);
 * each answers in its own wire format, error bodies included.
 *
 * <p>The modes, with what a streamed ({@code "stream":true}, or Gemini's {@code
 * streamGenerateContent}) and a non-streamed request get:
 *
 * <ul>
 *   <li>{@code ok}: the answer; a stream is shaped by the optional {@link StreamShape} fields;
 *   <li>{@code error} {@code status}: that status and the protocol's error body;
 *   <li>{@code rate-limit} [{@code retry_after_seconds}]: 429 and the protocol's rate-limit body;
 *       OpenAI and Anthropic send {@code Retry-After}, Gemini a {@code RetryInfo} detail instead;
 *   <li>{@code hang}: no answer at all, until the client gives up;
 *   <li>{@code slow} {@code delay_ms} [shape]: the answer (or the stream's headers) that late;
 *   <li>{@code reset}: the TCP connection is dropped with an RST, no byte of HTTP;
 *   <li>{@code fail-next} / {@code fail-fraction}: as {@code error} for some requests, else ok;
 *   <li>{@code stream-drop} {@code after_chunks} [shape]: a stream sends that many content chunks
 *       and the TCP connection is then closed in mid-response: no terminating event, no final HTTP
 *       chunk, so the client's read fails; a non-streamed request gets 200 with its Content-Length
 *       and the first half of the body, then the close. (A close rather than an RST: an abort could
 *       overtake the last chunks on their way out, see {@code SimConnection});
 *   <li>{@code stall-first-token} [{@code ms}] [shape]: a stream sends 200 and its headers, then
 *       nothing (not even the opening events) for {@code ms}, or for ever when {@code ms} is
 *       absent, then goes on normally; a non-streamed request is answered {@code ms} late, or never
 *       (as {@code slow} / {@code hang});
 *   <li>{@code stall-between} {@code after_chunks} [{@code ms}] [shape]: a stream pauses for {@code
 *       ms} (or for ever) after that many content chunks; a non-streamed request gets 200, its
 *       Content-Length and half its body, then the pause, then the rest;
 *   <li>{@code malformed} [shape]: a non-streamed answer is 200 with a body that is not JSON (the
 *       answer cut in the middle); a stream sends, after its first content chunk, a {@code data:}
 *       line that is not JSON, then goes on normally;
 *   <li>{@code context-length} [{@code limit_tokens}]: each protocol's own "prompt too long" 400,
 *       reporting {@code limit + the request's counted tokens} against {@code limit} (default: the
 *       protocol's usual window, 128000 / 200000 / 1048576);
 *   <li>{@code overloaded}: OpenAI 503 {@code server_error}, Anthropic 529 {@code
 *       overloaded_error}, Gemini 503 {@code UNAVAILABLE};
 *   <li>{@code stream-error} {@code after_chunks} [shape]: a stream sends that many content chunks,
 *       then the protocol's in-stream error event (OpenAI {@code data: {"error":..}}, Anthropic
 *       {@code event: error} with {@code overloaded_error}, Gemini a data event with an {@code
 *       error} object), and ends; a non-streamed request gets the {@code overloaded} answer;
 *   <li>{@code echo-error} {@code status} {@code text}: that status and the protocol's error body
 *       with {@code text} in every field it has (OpenAI's message, type, param and code;
 *       Anthropic's type and message; Gemini's message, status and {@code ErrorInfo} reason), and
 *       {@code text} again in an {@code x-sim-echo} response header: an upstream that echoes what
 *       it was sent (a key, a bearer header) back in its errors.
 * </ul>
 *
 * <p>The records are plain values. State that a mode needs while it runs (how many failures {@code
 * fail-next} has left, the random sequence of {@code fail-fraction}) belongs to the instance and
 * starts afresh each time a behaviour is put in force.
 *
 * <p>Parsing is strict: an unknown mode, a missing or mistyped field, an out-of-range value or a
 * field the mode does not know is rejected with an {@link IllegalArgumentException} whose message
 * says what is wrong.
 */
public sealed interface Behaviour {

  /** The lowest status an error mode may use. */
  int MIN_ERROR_STATUS = 400;

  /** The highest status an error mode may use. */
  int MAX_ERROR_STATUS = 599;

  /** The mode names, as the control JSON spells them. */
  List<String> MODES =
      List.of(
          "ok",
          "error",
          "rate-limit",
          "hang",
          "slow",
          "reset",
          "fail-next",
          "fail-fraction",
          "stream-drop",
          "stall-first-token",
          "stall-between",
          "malformed",
          "context-length",
          "overloaded",
          "stream-error",
          "echo-error");

  /** The mode's name in the control JSON. */
  String mode();

  /** How the answers this mode lets through are shaped; the default for modes without one. */
  default StreamShape shape() {
    return StreamShape.DEFAULT;
  }

  /** Answer normally. */
  static Behaviour ok() {
    return Ok.INSTANCE;
  }

  /** Answer normally, streams shaped as {@code shape} says. */
  static Behaviour ok(StreamShape shape) {
    return new Ok(shape);
  }

  /** Answer every chat request with {@code status} and the protocol's error body. */
  static Behaviour error(int status) {
    return new ErrorStatus(status);
  }

  /** Answer every chat request with 429 and a rate-limit body, without Retry-After. */
  static Behaviour rateLimit() {
    return new RateLimit(OptionalInt.empty());
  }

  /** Answer every chat request with 429, a rate-limit body and {@code Retry-After}. */
  static Behaviour rateLimit(int retryAfterSeconds) {
    return new RateLimit(OptionalInt.of(retryAfterSeconds));
  }

  /** Never answer: the request stays open until the client gives up or the simulator stops. */
  static Behaviour hang() {
    return Hang.INSTANCE;
  }

  /** Answer normally, {@code delayMs} milliseconds late. */
  static Behaviour slow(long delayMs) {
    return new Slow(delayMs);
  }

  /** Answer normally, {@code delay} late (millisecond precision). */
  static Behaviour slow(Duration delay) {
    return new Slow(delay.toMillis());
  }

  /** Drop the TCP connection without sending any HTTP response. */
  static Behaviour reset() {
    return Reset.INSTANCE;
  }

  /** Fail the next {@code count} chat requests with {@code status}, then answer normally. */
  static Behaviour failNext(int count, int status) {
    return new FailNext(count, status);
  }

  /** Fail each chat request with {@code status} with probability {@code fraction}, reproducibly. */
  static Behaviour failFraction(double fraction, int status, long seed) {
    return new FailFraction(fraction, status, seed);
  }

  /** Cut streams after {@code afterChunks} content chunks (non-streams in mid-body). */
  static Behaviour streamDrop(int afterChunks) {
    return new StreamDrop(afterChunks, StreamShape.DEFAULT);
  }

  /** Send a stream's headers, then nothing for {@code ms}, then the stream. */
  static Behaviour stallFirstToken(long ms) {
    return new StallFirstToken(OptionalLong.of(ms), StreamShape.DEFAULT);
  }

  /** Send a stream's headers, then nothing ever. */
  static Behaviour stallFirstToken() {
    return new StallFirstToken(OptionalLong.empty(), StreamShape.DEFAULT);
  }

  /** Pause streams for {@code ms} after {@code afterChunks} content chunks. */
  static Behaviour stallBetween(int afterChunks, long ms) {
    return new StallBetween(afterChunks, OptionalLong.of(ms), StreamShape.DEFAULT);
  }

  /** Stop streams for ever after {@code afterChunks} content chunks. */
  static Behaviour stallBetween(int afterChunks) {
    return new StallBetween(afterChunks, OptionalLong.empty(), StreamShape.DEFAULT);
  }

  /** Answer 200 with a body (or a stream event) that is not JSON. */
  static Behaviour malformed() {
    return new Malformed(StreamShape.DEFAULT);
  }

  /** Refuse every request as too long for the protocol's usual context window. */
  static Behaviour contextLength() {
    return new ContextLength(OptionalInt.empty());
  }

  /** Refuse every request as too long for a window of {@code limitTokens}. */
  static Behaviour contextLength(int limitTokens) {
    return new ContextLength(OptionalInt.of(limitTokens));
  }

  /** Answer every request with the protocol's "overloaded" error. */
  static Behaviour overloaded() {
    return Overloaded.INSTANCE;
  }

  /** Send the protocol's in-stream error after {@code afterChunks} content chunks. */
  static Behaviour streamError(int afterChunks) {
    return new StreamError(afterChunks, StreamShape.DEFAULT);
  }

  /** Answer every request with {@code status} and an error body and header that carry {@code text}. */
  static Behaviour echoError(int status, String text) {
    return new EchoError(status, text);
  }

  /** Answer normally; streams are shaped by {@code shape}. */
  record Ok(StreamShape shape) implements Behaviour {
    static final Ok INSTANCE = new Ok();

    public Ok {
      Objects.requireNonNull(shape, "shape");
    }

    /** The default shape. */
    public Ok() {
      this(StreamShape.DEFAULT);
    }

    @Override
    public String mode() {
      return "ok";
    }
  }

  /** Answer every chat request with this status (400..599) and the protocol's error body. */
  record ErrorStatus(int status) implements Behaviour {
    public ErrorStatus {
      requireErrorStatus(status);
    }

    @Override
    public String mode() {
      return "error";
    }
  }

  /** Answer every chat request with 429; with {@code Retry-After} when a value is given. */
  record RateLimit(OptionalInt retryAfterSeconds) implements Behaviour {
    public RateLimit {
      if (retryAfterSeconds == null) {
        retryAfterSeconds = OptionalInt.empty();
      }
      if (retryAfterSeconds.isPresent() && retryAfterSeconds.getAsInt() < 0) {
        throw new IllegalArgumentException(
            "retry_after_seconds must be 0 or more, not " + retryAfterSeconds.getAsInt());
      }
    }

    @Override
    public String mode() {
      return "rate-limit";
    }
  }

  /** Never answer. */
  record Hang() implements Behaviour {
    static final Hang INSTANCE = new Hang();

    @Override
    public String mode() {
      return "hang";
    }
  }

  /** Answer normally after {@code delayMs} milliseconds; streams are shaped by {@code shape}. */
  record Slow(long delayMs, StreamShape shape) implements Behaviour {
    public Slow {
      if (delayMs < 0) {
        throw new IllegalArgumentException("delay_ms must be 0 or more, not " + delayMs);
      }
      Objects.requireNonNull(shape, "shape");
    }

    /** The default shape. */
    public Slow(long delayMs) {
      this(delayMs, StreamShape.DEFAULT);
    }

    @Override
    public String mode() {
      return "slow";
    }

    /** The delay as a {@link Duration}. */
    public Duration delay() {
      return Duration.ofMillis(delayMs);
    }
  }

  /** Drop the connection without an HTTP response. */
  record Reset() implements Behaviour {
    static final Reset INSTANCE = new Reset();

    @Override
    public String mode() {
      return "reset";
    }
  }

  /** Fail the next {@code count} chat requests with {@code status}, then answer normally. */
  record FailNext(int count, int status) implements Behaviour {
    public FailNext {
      if (count < 0) {
        throw new IllegalArgumentException("count must be 0 or more, not " + count);
      }
      requireErrorStatus(status);
    }

    @Override
    public String mode() {
      return "fail-next";
    }
  }

  /**
   * Fail each chat request with {@code status} with probability {@code fraction}; the draws come
   * from a {@link java.util.Random} seeded with {@code seed}, so the same sequence of requests
   * fails the same way on every run.
   */
  record FailFraction(double fraction, int status, long seed) implements Behaviour {
    public FailFraction {
      if (!(fraction >= 0.0 && fraction <= 1.0)) {
        throw new IllegalArgumentException("fraction must be between 0 and 1, not " + fraction);
      }
      requireErrorStatus(status);
    }

    @Override
    public String mode() {
      return "fail-fraction";
    }
  }

  /**
   * Cut the connection after {@code afterChunks} content chunks of a stream, with no terminating
   * event; a non-streamed answer is cut after the first half of its body.
   */
  record StreamDrop(int afterChunks, StreamShape shape) implements Behaviour {
    public StreamDrop {
      requireAfterChunks(afterChunks);
      Objects.requireNonNull(shape, "shape");
    }

    @Override
    public String mode() {
      return "stream-drop";
    }
  }

  /**
   * Send a stream's status and headers, then nothing for {@code ms} (for ever when empty), then the
   * stream; a non-streamed answer comes {@code ms} late, or never.
   */
  record StallFirstToken(OptionalLong ms, StreamShape shape) implements Behaviour {
    public StallFirstToken {
      ms = requireStallMs(ms);
      Objects.requireNonNull(shape, "shape");
    }

    @Override
    public String mode() {
      return "stall-first-token";
    }
  }

  /**
   * Pause a stream for {@code ms} (for ever when empty) after {@code afterChunks} content chunks; a
   * non-streamed answer pauses after the first half of its body.
   */
  record StallBetween(int afterChunks, OptionalLong ms, StreamShape shape) implements Behaviour {
    public StallBetween {
      requireAfterChunks(afterChunks);
      ms = requireStallMs(ms);
      Objects.requireNonNull(shape, "shape");
    }

    @Override
    public String mode() {
      return "stall-between";
    }
  }

  /**
   * Answer 200 with a body that is not JSON; a stream sends a {@code data:} line that is not JSON
   * after its first content chunk.
   */
  record Malformed(StreamShape shape) implements Behaviour {
    public Malformed {
      Objects.requireNonNull(shape, "shape");
    }

    @Override
    public String mode() {
      return "malformed";
    }
  }

  /**
   * Refuse every request with the protocol's context-length error, against a window of {@code
   * limitTokens} (the protocol's usual one when empty).
   */
  record ContextLength(OptionalInt limitTokens) implements Behaviour {
    public ContextLength {
      if (limitTokens == null) {
        limitTokens = OptionalInt.empty();
      }
      if (limitTokens.isPresent() && limitTokens.getAsInt() < 1) {
        throw new IllegalArgumentException(
            "limit_tokens must be 1 or more, not " + limitTokens.getAsInt());
      }
    }

    @Override
    public String mode() {
      return "context-length";
    }
  }

  /** Answer with the protocol's "overloaded" error. */
  record Overloaded() implements Behaviour {
    static final Overloaded INSTANCE = new Overloaded();

    @Override
    public String mode() {
      return "overloaded";
    }
  }

  /**
   * End a stream with the protocol's in-stream error after {@code afterChunks} content chunks; a
   * non-streamed request gets the {@code overloaded} answer.
   */
  record StreamError(int afterChunks, StreamShape shape) implements Behaviour {
    public StreamError {
      requireAfterChunks(afterChunks);
      Objects.requireNonNull(shape, "shape");
    }

    @Override
    public String mode() {
      return "stream-error";
    }
  }

  /**
   * Answer every chat request with {@code status} (400..599) and the protocol's error body with
   * {@code text} in each of its fields, and {@code text} in an {@code x-sim-echo} header.
   */
  record EchoError(int status, String text) implements Behaviour {
    /** The response header that carries the text too. */
    public static final String HEADER = "x-sim-echo";

    public EchoError {
      requireErrorStatus(status);
      Objects.requireNonNull(text, "text");
      if (text.isEmpty() || text.length() > 1000) {
        throw new IllegalArgumentException("text must be 1 to 1000 characters, not " + text.length());
      }
      // It is sent as a header value too, where a line break would end the header.
      if (text.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        throw new IllegalArgumentException("text must not hold control characters: it is also a header");
      }
    }

    @Override
    public String mode() {
      return "echo-error";
    }
  }

  /** This behaviour as control JSON, e.g. {@code {"mode":"slow","delay_ms":200}}. */
  default ObjectNode toJsonNode() {
    return BehaviourJson.render(this);
  }

  /** This behaviour as control JSON text. */
  default String toJson() {
    return toJsonNode().toString();
  }

  /**
   * Parses control JSON text.
   *
   * @throws IllegalArgumentException when the text is not JSON or not a valid behaviour
   */
  static Behaviour fromJson(String json) {
    return BehaviourJson.parse(json);
  }

  /**
   * Parses control JSON.
   *
   * @throws IllegalArgumentException when the node is not a valid behaviour
   */
  static Behaviour fromJson(JsonNode node) {
    return BehaviourJson.parse(node);
  }

  private static void requireErrorStatus(int status) {
    if (status < MIN_ERROR_STATUS || status > MAX_ERROR_STATUS) {
      throw new IllegalArgumentException(
          "status must be an HTTP error status between "
              + MIN_ERROR_STATUS
              + " and "
              + MAX_ERROR_STATUS
              + ", not "
              + status);
    }
  }

  private static void requireAfterChunks(int afterChunks) {
    if (afterChunks < 0) {
      throw new IllegalArgumentException("after_chunks must be 0 or more, not " + afterChunks);
    }
  }

  private static OptionalLong requireStallMs(OptionalLong ms) {
    if (ms == null) {
      return OptionalLong.empty();
    }
    if (ms.isPresent() && ms.getAsLong() < 0) {
      throw new IllegalArgumentException("ms must be 0 or more, not " + ms.getAsLong());
    }
    return ms;
  }
}
