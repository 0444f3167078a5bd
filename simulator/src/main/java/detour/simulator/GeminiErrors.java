package detour.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.OptionalInt;

/**
 * Gemini's error answers, Google's {@code {"error":{"code":..,"message":..,"status":..}}}, with the
 * canonical status name for each HTTP status ({@code INVALID_ARGUMENT}, {@code PERMISSION_DENIED},
 * {@code RESOURCE_EXHAUSTED}, {@code UNAVAILABLE}, ...). Gemini sends no {@code Retry-After}
 * header; a rate limit with a delay carries a {@code google.rpc.RetryInfo} detail instead.
 */
final class GeminiErrors {

  /** Gemini's input window when the behaviour names none. */
  static final int DEFAULT_CONTEXT_TOKENS = 1_048_576;

  private GeminiErrors() {}

  /** The body of {@code error} mode: the status name follows the code. */
  static ErrorAnswer forStatus(int status, String instance) {
    return new ErrorAnswer(
        status,
        body(
            envelope(
                status,
                "Simulated error "
                    + status
                    + " ("
                    + OpenAiErrors.statusCode(status).reason()
                    + ") from sim instance '"
                    + instance
                    + "'.")));
  }

  /** 429 {@code RESOURCE_EXHAUSTED}; a {@code RetryInfo} detail when a delay is given. */
  static ErrorAnswer rateLimited(String instance, OptionalInt retryAfterSeconds) {
    ObjectNode root =
        envelope(
            429,
            "Resource has been exhausted on sim instance '"
                + instance
                + "' (e.g. check quota). Please retry later.");
    retryAfterSeconds.ifPresent(
        seconds ->
            ((ObjectNode) root.get("error"))
                .putArray("details")
                .addObject()
                .put("@type", "type.googleapis.com/google.rpc.RetryInfo")
                .put("retryDelay", seconds + "s"));
    return new ErrorAnswer(429, body(root));
  }

  /**
   * 400 {@code INVALID_ARGUMENT}: {@code The input token count (N) exceeds the maximum number of
   * tokens allowed (M).}
   */
  static ErrorAnswer contextLength(int promptTokens, int limitTokens) {
    return invalidArgument(
        "The input token count ("
            + promptTokens
            + ") exceeds the maximum number of tokens allowed ("
            + limitTokens
            + ").");
  }

  /** 503 {@code UNAVAILABLE}: the model is overloaded. */
  static ErrorAnswer overloaded() {
    return new ErrorAnswer(503, body(overloadedEnvelope()));
  }

  /** The 503 envelope; also the data of the in-stream error event. */
  static ObjectNode overloadedEnvelope() {
    return envelope(503, "The model is overloaded. Please try again later.");
  }

  /** 400 {@code INVALID_ARGUMENT}. */
  static ErrorAnswer invalidArgument(String message) {
    return new ErrorAnswer(400, body(envelope(400, message)));
  }

  /** 403 {@code PERMISSION_DENIED}. */
  static ErrorAnswer permissionDenied(String message) {
    return new ErrorAnswer(403, body(envelope(403, message)));
  }

  /** {@code text} as the message, the status and the {@code ErrorInfo} reason of a {@code code} envelope. */
  static ObjectNode echoed(int code, String text) {
    ObjectNode root = envelope(code, text);
    ObjectNode error = (ObjectNode) root.get("error");
    error.put("status", text);
    error.putArray("details").addObject()
        .put("@type", "type.googleapis.com/google.rpc.ErrorInfo")
        .put("reason", text);
    return root;
  }

  /** {@code {"error":{"code":..,"message":..,"status":..}}}. */
  static ObjectNode envelope(int code, String message) {
    ObjectNode root = SimulatorJson.MAPPER.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("code", code);
    error.put("message", message);
    error.put("status", statusFor(code));
    return root;
  }

  private static byte[] body(ObjectNode root) {
    return SimulatedAnswers.bytes(root);
  }

  /** Google's canonical status name for an HTTP status. */
  static String statusFor(int code) {
    return switch (code) {
      case 400 -> "INVALID_ARGUMENT";
      case 401 -> "UNAUTHENTICATED";
      case 403 -> "PERMISSION_DENIED";
      case 404 -> "NOT_FOUND";
      case 409 -> "ABORTED";
      case 429 -> "RESOURCE_EXHAUSTED";
      case 499 -> "CANCELLED";
      case 500 -> "INTERNAL";
      case 501 -> "NOT_IMPLEMENTED";
      case 503, 529 -> "UNAVAILABLE";
      case 504 -> "DEADLINE_EXCEEDED";
      default -> code < 500 ? "FAILED_PRECONDITION" : "INTERNAL";
    };
  }
}
