package detour.simulator;

import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.OptionalInt;

/**
 * OpenAI-style error bodies, {@code {"error":{"message":..,"type":..,"param":..,"code":..}}}, with
 * a plausible type and code for each HTTP status, and the status codes themselves (including the
 * non-standard 529 "overloaded").
 */
final class OpenAiErrors {

  private static final StatusCode OVERLOADED =
      StatusCodes.custom(529, "Site Overloaded", "The provider is overloaded.", false, true);

  private OpenAiErrors() {}

  /** The Akka status code for {@code status}; registers none globally, works for 529 too. */
  static StatusCode statusCode(int status) {
    if (status == 529) {
      return OVERLOADED;
    }
    return StatusCodes.lookup(status)
        .orElseGet(() -> StatusCodes.custom(status, "Status " + status, "", false, true));
  }

  /** The body an error mode answers with: type and code follow the status, as OpenAI's do. */
  static byte[] forStatus(int status, String instance) {
    String[] typeAndCode = typeAndCode(status);
    String message =
        "Simulated error "
            + status
            + " ("
            + statusCode(status).reason()
            + ") from sim instance '"
            + instance
            + "'.";
    return render(message, typeAndCode[0], null, typeAndCode[1]);
  }

  /**
   * The 429 body of {@code rate-limit} mode, in the shape of OpenAI's requests-per-minute limit.
   */
  static byte[] rateLimited(String instance, OptionalInt retryAfterSeconds) {
    String message =
        "Rate limit reached for requests on sim instance '"
            + instance
            + "'."
            + (retryAfterSeconds.isPresent()
                ? " Please try again in " + retryAfterSeconds.getAsInt() + "s."
                : " Please try again later.");
    return render(message, "requests", null, "rate_limit_exceeded");
  }

  /**
   * OpenAI's 400 for a prompt over the context window: {@code This model's maximum context length
   * is M tokens. However, your messages resulted in N tokens. ...}, code {@code
   * context_length_exceeded}.
   */
  static byte[] contextLength(int promptTokens, int limitTokens) {
    return render(
        "This model's maximum context length is "
            + limitTokens
            + " tokens. However, your messages resulted in "
            + promptTokens
            + " tokens. Please reduce the length of the messages.",
        "invalid_request_error",
        "messages",
        "context_length_exceeded");
  }

  /** The 503 body of an overloaded server, also sent as the in-stream error of a stream. */
  static byte[] overloaded(String instance) {
    return render(
        "The server on sim instance '" + instance + "' is overloaded. Please try again later.",
        "server_error",
        null,
        null);
  }

  /** A 400 about the caller's request, naming the offending parameter when there is one. */
  static byte[] invalidRequest(String message, String param) {
    return render(message, "invalid_request_error", param, null);
  }

  /** The OpenAI error envelope as bytes. */
  static byte[] render(String message, String type, String param, String code) {
    ObjectNode root = SimulatorJson.MAPPER.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("message", message);
    error.put("type", type);
    error.put("param", param);
    error.put("code", code);
    try {
      return SimulatorJson.MAPPER.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {type, code} for a status; code may be null, as in OpenAI's own answers. */
  private static String[] typeAndCode(int status) {
    return switch (status) {
      case 400 -> new String[] {"invalid_request_error", null};
      case 401 -> new String[] {"invalid_request_error", "invalid_api_key"};
      case 402 -> new String[] {"insufficient_quota", "insufficient_quota"};
      case 403 -> new String[] {"permission_error", "permission_denied"};
      case 404 -> new String[] {"invalid_request_error", "model_not_found"};
      case 408 -> new String[] {"timeout", "request_timeout"};
      case 413 -> new String[] {"invalid_request_error", "request_too_large"};
      case 429 -> new String[] {"requests", "rate_limit_exceeded"};
      case 500 -> new String[] {"server_error", "server_error"};
      case 502 -> new String[] {"server_error", "bad_gateway"};
      case 503 -> new String[] {"service_unavailable", "service_unavailable"};
      case 504 -> new String[] {"server_error", "gateway_timeout"};
      case 529 -> new String[] {"overloaded", "overloaded"};
      default ->
          status < 500
              ? new String[] {"invalid_request_error", null}
              : new String[] {"server_error", null};
    };
  }
}
