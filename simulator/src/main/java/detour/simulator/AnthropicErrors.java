package detour.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.OptionalInt;

/**
 * Anthropic's error answers, {@code {"type":"error","error":{"type":..,"message":..}}}, with the
 * error type Anthropic uses for each status ({@code invalid_request_error}, {@code
 * authentication_error}, {@code rate_limit_error}, {@code overloaded_error} on 529, ...).
 */
final class AnthropicErrors {

  /** Anthropic's "prompt too long" window when the behaviour names none. */
  static final int DEFAULT_CONTEXT_TOKENS = 200_000;

  private AnthropicErrors() {}

  /** The body of {@code error} mode: the type follows the status. */
  static ErrorAnswer forStatus(int status, String instance) {
    return new ErrorAnswer(
        status,
        body(
            typeFor(status),
            "Simulated error "
                + status
                + " ("
                + OpenAiErrors.statusCode(status).reason()
                + ") from sim instance '"
                + instance
                + "'."));
  }

  /** 429 {@code rate_limit_error}, with {@code retry-after} when given. */
  static ErrorAnswer rateLimited(String instance, OptionalInt retryAfterSeconds) {
    return new ErrorAnswer(
        429,
        body(
            "rate_limit_error",
            "Number of requests has exceeded your rate limit on sim instance '"
                + instance
                + "'. Please try again later."),
        retryAfterSeconds);
  }

  /** 400 {@code invalid_request_error}: {@code prompt is too long: N tokens > M maximum}. */
  static ErrorAnswer contextLength(int promptTokens, int limitTokens) {
    return invalidRequest(
        "prompt is too long: " + promptTokens + " tokens > " + limitTokens + " maximum");
  }

  /** 529 {@code overloaded_error}, message {@code Overloaded}. */
  static ErrorAnswer overloaded() {
    return new ErrorAnswer(529, body("overloaded_error", "Overloaded"));
  }

  /** 400 {@code invalid_request_error}. */
  static ErrorAnswer invalidRequest(String message) {
    return new ErrorAnswer(400, body("invalid_request_error", message));
  }

  /** 401 {@code authentication_error}. */
  static ErrorAnswer authentication(String message) {
    return new ErrorAnswer(401, body("authentication_error", message));
  }

  /** The error envelope as a tree; also the data of an in-stream {@code event: error}. */
  static ObjectNode envelope(String type, String message) {
    ObjectNode root = SimulatorJson.MAPPER.createObjectNode();
    root.put("type", "error");
    ObjectNode error = root.putObject("error");
    error.put("type", type);
    error.put("message", message);
    return root;
  }

  private static byte[] body(String type, String message) {
    return SimulatedAnswers.bytes(envelope(type, message));
  }

  /** The error type Anthropic answers a status with. */
  static String typeFor(int status) {
    return switch (status) {
      case 400 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 402 -> "billing_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 413 -> "request_too_large";
      case 429 -> "rate_limit_error";
      case 504 -> "timeout_error";
      case 529 -> "overloaded_error";
      default -> status < 500 ? "invalid_request_error" : "api_error";
    };
  }
}
