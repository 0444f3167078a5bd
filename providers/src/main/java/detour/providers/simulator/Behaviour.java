package detour.providers.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * How a simulated instance answers chat requests: one immutable record per fault mode, parsed from
 * and rendered to the control endpoint's JSON ({@code {"mode":"error","status":503}}).
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
      List.of("ok", "error", "rate-limit", "hang", "slow", "reset", "fail-next", "fail-fraction");

  /** The mode's name in the control JSON. */
  String mode();

  /** Answer normally. */
  static Behaviour ok() {
    return Ok.INSTANCE;
  }

  /** Answer every chat request with {@code status} and an OpenAI-style error body. */
  static Behaviour error(int status) {
    return new ErrorStatus(status);
  }

  /** Answer every chat request with 429 and an OpenAI rate-limit body, without Retry-After. */
  static Behaviour rateLimit() {
    return new RateLimit(OptionalInt.empty());
  }

  /** Answer every chat request with 429, an OpenAI rate-limit body and {@code Retry-After}. */
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

  /** Answer normally. */
  record Ok() implements Behaviour {
    static final Ok INSTANCE = new Ok();

    @Override
    public String mode() {
      return "ok";
    }
  }

  /** Answer every chat request with this status (400..599) and an OpenAI-style error body. */
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

  /** Answer normally after {@code delayMs} milliseconds. */
  record Slow(long delayMs) implements Behaviour {
    public Slow {
      if (delayMs < 0) {
        throw new IllegalArgumentException("delay_ms must be 0 or more, not " + delayMs);
      }
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

  /** This behaviour as control JSON, e.g. {@code {"mode":"slow","delay_ms":200}}. */
  default ObjectNode toJsonNode() {
    ObjectNode node = SimulatorJson.MAPPER.createObjectNode();
    node.put("mode", mode());
    if (this instanceof ErrorStatus e) {
      node.put("status", e.status());
    } else if (this instanceof RateLimit r) {
      r.retryAfterSeconds().ifPresent(seconds -> node.put("retry_after_seconds", seconds));
    } else if (this instanceof Slow s) {
      node.put("delay_ms", s.delayMs());
    } else if (this instanceof FailNext f) {
      node.put("count", f.count());
      node.put("status", f.status());
    } else if (this instanceof FailFraction f) {
      node.put("fraction", f.fraction());
      node.put("status", f.status());
      node.put("seed", f.seed());
    }
    return node;
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
    JsonNode node;
    try {
      node = SimulatorJson.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "the body is not valid JSON: " + e.getOriginalMessage(), e);
    }
    return fromJson(node);
  }

  /**
   * Parses control JSON.
   *
   * @throws IllegalArgumentException when the node is not a valid behaviour
   */
  static Behaviour fromJson(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(
          "a behaviour is a JSON object such as {\"mode\":\"error\",\"status\":503}");
    }
    JsonNode mode = node.get("mode");
    if (mode == null || !mode.isTextual()) {
      throw new IllegalArgumentException(
          "field 'mode' is missing or not a string; expected one of " + MODES);
    }
    BehaviourFields f = new BehaviourFields(node, mode.asText());
    Behaviour parsed =
        switch (mode.asText()) {
          case "ok" -> ok();
          case "error" -> error(f.integer("status"));
          case "rate-limit" ->
              f.has("retry_after_seconds")
                  ? rateLimit(f.integer("retry_after_seconds"))
                  : rateLimit();
          case "hang" -> hang();
          case "slow" -> slow(f.longInteger("delay_ms"));
          case "reset" -> reset();
          case "fail-next" -> failNext(f.integer("count"), f.integer("status"));
          case "fail-fraction" ->
              failFraction(f.number("fraction"), f.integer("status"), f.longInteger("seed"));
          default ->
              throw new IllegalArgumentException(
                  "unknown mode '" + mode.asText() + "'; expected one of " + MODES);
        };
    f.rejectUnread();
    return parsed;
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
}

/** Reads a behaviour's fields, remembering which were read so that strays can be reported. */
final class BehaviourFields {
  private final JsonNode node;
  private final String mode;
  private final Set<String> read = new LinkedHashSet<>(List.of("mode"));

  BehaviourFields(JsonNode node, String mode) {
    this.node = node;
    this.mode = mode;
  }

  boolean has(String name) {
    JsonNode value = node.get(name);
    if (value == null || value.isNull()) {
      read.add(name);
      return false;
    }
    return true;
  }

  int integer(String name) {
    JsonNode value = required(name);
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw new IllegalArgumentException(
          "field '" + name + "' of mode '" + mode + "' must be an integer, not " + value);
    }
    return value.intValue();
  }

  long longInteger(String name) {
    JsonNode value = required(name);
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw new IllegalArgumentException(
          "field '" + name + "' of mode '" + mode + "' must be an integer, not " + value);
    }
    return value.longValue();
  }

  double number(String name) {
    JsonNode value = required(name);
    if (!value.isNumber()) {
      throw new IllegalArgumentException(
          "field '" + name + "' of mode '" + mode + "' must be a number, not " + value);
    }
    return value.doubleValue();
  }

  private JsonNode required(String name) {
    JsonNode value = node.get(name);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("mode '" + mode + "' needs field '" + name + "'");
    }
    read.add(name);
    return value;
  }

  void rejectUnread() {
    List<String> strays = new ArrayList<>();
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!read.contains(name)) {
        strays.add(name);
      }
    }
    if (!strays.isEmpty()) {
      List<String> known = new ArrayList<>(read);
      known.remove("mode");
      throw new IllegalArgumentException(
          "mode '"
              + mode
              + "' does not take field(s) "
              + strays
              + (known.isEmpty() ? "; it takes no fields" : "; it takes " + known));
    }
  }
}
