package detour.router.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The checks the request rules are made of. Each answers the caller's error, or null when the
 * value passes; messages follow OpenAI's ("Invalid type for 'n': expected an integer, but got a
 * string instead."), so that a caller reads the same words whichever of the two refused it.
 */
final class JsonChecks {
  private JsonChecks() {}

  /** One field's check, given its value (never a Java null) and the path that names it. */
  @FunctionalInterface
  interface Rule {
    /** The error for this value at {@code param}, or null if it passes. */
    ApiError check(JsonNode value, String param);
  }

  /** Absent or JSON null: OpenAI takes an optional field set to null as not set. */
  static boolean absent(JsonNode value) {
    return value == null || value.isNull() || value.isMissingNode();
  }

  /** What the caller sent, in the words of the messages: "a string", "an integer", ... */
  static String kind(JsonNode value) {
    if (value.isTextual()) return "a string";
    if (value.isIntegralNumber()) return "an integer";
    if (value.isNumber()) return "a decimal";
    if (value.isBoolean()) return "a boolean";
    if (value.isArray()) return "an array";
    if (value.isObject()) return "an object";
    return "null";
  }

  static ApiError wrongType(String param, String expected, JsonNode got) {
    return ApiError.invalidType("Invalid type for '" + param + "': expected " + expected + ", but got " + kind(got)
        + " instead.", param);
  }

  static ApiError notAllowed(String param, String why) {
    return ApiError.invalidValue("Invalid value for '" + param + "': " + why + ".", param);
  }

  static ApiError notOneOf(String param, String got, List<String> allowed) {
    return notAllowed(param, "'" + got + "'; supported values are "
        + allowed.stream().map(v -> "'" + v + "'").collect(Collectors.joining(", ")));
  }

  static final Rule STRING = (value, param) -> value.isTextual() ? null : wrongType(param, "a string", value);

  static final Rule BOOLEAN = (value, param) -> value.isBoolean() ? null : wrongType(param, "a boolean", value);

  static final Rule OBJECT = (value, param) -> value.isObject() ? null : wrongType(param, "an object", value);

  static final Rule NON_EMPTY_STRING = (value, param) -> !value.isTextual() ? wrongType(param, "a string", value)
      : value.asText().isEmpty() ? notAllowed(param, "an empty string") : null;

  /** A string that is one of {@code allowed}. */
  static Rule oneOf(List<String> allowed) {
    return (value, param) -> !value.isTextual() ? wrongType(param, "a string", value)
        : allowed.contains(value.asText()) ? null : notOneOf(param, value.asText(), allowed);
  }

  /** Any JSON number from min to max, both included. */
  static Rule number(double min, double max) {
    return (value, param) -> {
      if (!value.isNumber()) return wrongType(param, "a number", value);
      double v = value.doubleValue();  // 1e400 is infinite, hence out of any range
      return v >= min && v <= max ? null : outOfRange(param, value, v < min, plain(min), plain(max));
    };
  }

  /**
   * A whole number from min to max. Written as 2 or as 2.0, as JSON Schema's "integer" allows:
   * JSON has one number type, and some encoders write every number with a point.
   */
  static Rule integer(long min, long max) {
    return (value, param) -> {
      if (!whole(value)) return wrongType(param, "an integer", value);
      // Compared exactly: a number beyond a long is a BigInteger, and a long beyond 2^53 no double.
      BigDecimal v = value.isIntegralNumber() ? new BigDecimal(value.bigIntegerValue()) : value.decimalValue();
      boolean below = v.compareTo(BigDecimal.valueOf(min)) < 0;
      boolean above = v.compareTo(BigDecimal.valueOf(max)) > 0;
      return below || above ? outOfRange(param, value, below, Long.toString(min), Long.toString(max)) : null;
    };
  }

  private static boolean whole(JsonNode value) {
    if (value.isIntegralNumber()) return true;
    if (!value.isNumber()) return false;
    double v = value.doubleValue();
    return Double.isFinite(v) && v == Math.rint(v);
  }

  /** {@code holder.field} (holder is an object) checked by {@code rule}; absent or null, it is missing. */
  static ApiError required(JsonNode holder, String field, Rule rule, String at) {
    JsonNode value = holder.get(field);
    return absent(value) ? ApiError.missingParameter(at + "." + field) : rule.check(value, at + "." + field);
  }

  /** {@code holder.field} checked by {@code rule} when it is set; nothing to check when holder is no object. */
  static ApiError optional(JsonNode holder, String field, Rule rule, String at) {
    JsonNode value = holder == null ? null : holder.get(field);
    return absent(value) ? null : rule.check(value, at + "." + field);
  }

  /** Each element of an array checked by {@code element}, named {@code param[i]}: the first error, or null. */
  static ApiError each(JsonNode array, String param, Rule element) {
    for (int i = 0; i < array.size(); i++) {
      ApiError problem = element.check(array.get(i), param + "[" + i + "]");
      if (problem != null) return problem;
    }
    return null;
  }

  /** The first of some checks' errors, or null. All are computed: each costs a field lookup or two. */
  static ApiError firstProblem(ApiError... problems) {
    for (ApiError problem : problems) {
      if (problem != null) return problem;
    }
    return null;
  }

  private static ApiError outOfRange(String param, JsonNode value, boolean below, String min, String max) {
    String shown = value.toString();
    if (shown.length() > 40) shown = shown.substring(0, 40) + "...";
    return notAllowed(param, below ? shown + " is below the minimum of " + min : shown + " is above the maximum of " + max);
  }

  /** 2 rather than 2.0 in a message. */
  private static String plain(double bound) {
    return bound == Math.rint(bound) && Math.abs(bound) < 1e18 ? Long.toString((long) bound) : Double.toString(bound);
  }
}
