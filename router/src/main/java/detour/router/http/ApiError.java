package detour.router.http;

import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;

/**
 * An error as OpenAI's API reports it: {@code {"error": {"message", "type", "param", "code"}}}.
 * Official SDKs turn these into their typed exceptions by status.
 *
 * @param param the offending request field, or null
 * @param code a stable machine-readable code, or null
 */
public record ApiError(StatusCode status, String message, String type, String param, String code) {

  public static ApiError invalidRequest(String message, String param) {
    return new ApiError(StatusCodes.BAD_REQUEST, message, "invalid_request_error", param, null);
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
