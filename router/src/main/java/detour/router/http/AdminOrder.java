package detour.router.http;

import akka.http.javadsl.model.StatusCodes;
import com.fasterxml.jackson.databind.JsonNode;
import detour.persistence.LogText;
import java.time.Duration;
import java.util.Optional;

/**
 * Checks the body of an admin order ({@code operator}, {@code reason}, {@code model}, {@code
 * duration_seconds}) before anything acts on it. Who and why are journaled, logged and printed by
 * the audit, so they must be text, within their length, and free of control characters: a newline
 * there would forge a log line, an escape sequence would drive the operator's terminal.
 */
final class AdminOrder {
  static final Duration LONGEST_FORCED_OPEN = Duration.ofDays(7);
  static final int LONGEST_OPERATOR = 100;
  static final int LONGEST_REASON = 500;
  private static final String CODE = "invalid_admin_field";

  private AdminOrder() {}

  /** The first thing wrong with the order, or empty when it may be carried out. */
  static Optional<ApiError> check(JsonNode order, boolean opens) {
    if (!order.isObject()) {
      return refuse("The body must be a JSON object such as {\"operator\": \"ana\", \"reason\": \"maintenance\"}.",
          null);
    }
    Optional<ApiError> model = optionalText(order, "model");
    if (model.isPresent()) return model;
    Optional<ApiError> operator = requiredText(order, "operator", "name who acts", LONGEST_OPERATOR);
    if (operator.isPresent()) return operator;
    Optional<ApiError> reason = requiredText(order, "reason", "say why", LONGEST_REASON);
    if (reason.isPresent()) return reason;
    if (opens) {
      JsonNode seconds = order.get("duration_seconds");
      // An integral JSON number only: 1.5 is not taken for 1, nor "600" for 600.
      if (seconds == null || !seconds.isIntegralNumber() || !seconds.canConvertToLong() || seconds.longValue() <= 0
          || seconds.longValue() > LONGEST_FORCED_OPEN.toSeconds()) {
        return refuse("'duration_seconds' must be a whole number of seconds from 1 to "
            + LONGEST_FORCED_OPEN.toSeconds() + " for 'open'.", "duration_seconds");
      }
    }
    return Optional.empty();
  }

  /** A text field of an order that {@link #check} passed, stripped; empty when absent. */
  static String text(JsonNode order, String field) {
    JsonNode value = order.get(field);
    return value == null || value.isNull() ? "" : value.textValue().strip();
  }

  private static Optional<ApiError> requiredText(JsonNode order, String field, String what, int longest) {
    JsonNode value = order.get(field);
    String rule = "'" + field + "' must " + what + " as a string of 1 to " + longest
        + " characters without control characters: it is journaled.";
    if (value == null || !value.isTextual()) return refuse(rule, field);
    String text = value.textValue();
    if (LogText.hasControl(text)) {
      return refuse("'" + field + "' holds a control character (a line break, a tab, an escape): " + rule, field);
    }
    String stripped = text.strip();
    if (stripped.isEmpty() || stripped.length() > longest) return refuse(rule, field);
    return Optional.empty();
  }

  private static Optional<ApiError> optionalText(JsonNode order, String field) {
    JsonNode value = order.get(field);
    if (value == null || value.isNull()) return Optional.empty();
    if (!value.isTextual() || LogText.hasControl(value.textValue())) {
      return refuse("'" + field + "' must be a string without control characters when given.", field);
    }
    return Optional.empty();
  }

  private static Optional<ApiError> refuse(String message, String param) {
    return Optional.of(new ApiError(StatusCodes.BAD_REQUEST, message, "invalid_request_error", param, CODE));
  }
}
