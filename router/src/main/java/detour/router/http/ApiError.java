package detour.router.http;

import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An error as OpenAI's API reports it: {@code {"error": {"message", "type", "param", "code"}}}.
 * Official SDKs turn these into their typed exceptions by status.
 *
 * @param param the offending request field, or null
 * @param code a stable machine-readable code
 */
public record ApiError(StatusCode status, String message, String type, String param, String code) {

  /** The error as the body OpenAI sends: {@code {"error": {"message", "type", "param", "code"}}}. */
  public ObjectNode body(ObjectMapper json) {
    return json.valueToTree(ErrorBody.of(this));
  }

  public static ApiError invalidRequest(String message, String param) {
    return new ApiError(StatusCodes.BAD_REQUEST, message, "invalid_request_error", param, "invalid_request");
  }

  /**
   * An error Akka HTTP found before Detour's routes did (a request it could not parse, a path or
   * method no route takes), with the code its status stands for.
   */
  public static ApiError ofStatus(StatusCode status, String message) {
    String code = switch (status.intValue()) {
      case 400 -> "invalid_request";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 408 -> "request_timeout";
      case 413 -> "request_too_large";
      case 414 -> "uri_too_long";
      case 415 -> "unsupported_media_type";
      case 431 -> "header_too_large";
      case 501 -> "not_implemented";
      case 505 -> "http_version_not_supported";
      // Any other: its reason phrase, "Expectation Failed" -> expectation_failed.
      default -> status.reason().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
    };
    // 501 and 505 are the request's own (a method or version Detour does not take), not a fault of Detour's.
    boolean detoursFault = status.intValue() >= 500 && status.intValue() != 501 && status.intValue() != 505;
    return new ApiError(status, message, detoursFault ? "server_error" : "invalid_request_error", null, code);
  }

  public static ApiError modelNotFound(String message) {
    return new ApiError(StatusCodes.NOT_FOUND, message, "invalid_request_error", "model", "model_not_found");
  }

  public static ApiError unsupportedMediaType(String message) {
    return new ApiError(StatusCodes.UNSUPPORTED_MEDIA_TYPE, message, "invalid_request_error", null,
        "unsupported_media_type");
  }

  // The codes of a chat body Detour refuses (ChatRequestReader), OpenAI's own names where it has one.
  /** The body is not UTF-8 JSON Detour can read: malformed, empty, invalid UTF-8, or more than one document. */
  public static final String INVALID_JSON = "invalid_json";
  /** A required field is absent or null. */
  public static final String MISSING_PARAMETER = "missing_required_parameter";
  /** A field holds the wrong JSON type: a string for a number, an object for an array. */
  public static final String INVALID_TYPE = "invalid_type";
  /** The right type, a value not allowed: out of range, not one of the values allowed, empty. */
  public static final String INVALID_VALUE = "invalid_value";

  public static ApiError invalidJson(String message) {
    return new ApiError(StatusCodes.BAD_REQUEST, message, "invalid_request_error", null, INVALID_JSON);
  }

  public static ApiError missingParameter(String param) {
    return new ApiError(StatusCodes.BAD_REQUEST, "Missing required parameter: '" + param + "'.",
        "invalid_request_error", param, MISSING_PARAMETER);
  }

  public static ApiError invalidType(String message, String param) {
    return new ApiError(StatusCodes.BAD_REQUEST, message, "invalid_request_error", param, INVALID_TYPE);
  }

  public static ApiError invalidValue(String message, String param) {
    return new ApiError(StatusCodes.BAD_REQUEST, message, "invalid_request_error", param, INVALID_VALUE);
  }
}
