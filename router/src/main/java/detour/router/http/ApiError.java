package detour.router.http;

import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;

/**
 * An error as OpenAI's API reports it: {@code {"error": {"message", "type", "param", "code"}}}.
 * Official SDKs turn these into their typed exceptions by status.
 *
 * <p>A caller's bad request gets one of a small set of codes, OpenAI's own names where it has one:
 * {@value #INVALID_JSON} (not UTF-8 JSON), {@value #MISSING_PARAMETER}, {@value #INVALID_TYPE} (a
 * field of the wrong JSON type), {@value #INVALID_VALUE} (the right type, a value not allowed),
 * {@value #UNSUPPORTED_MEDIA_TYPE} and {@value #MODEL_NOT_FOUND}.
 *
 * @param param the offending request field, or null
 * @param code a stable machine-readable code; every factory here sets one
 */
public record ApiError(StatusCode status, String message, String type, String param, String code) {
  public static final String INVALID_JSON = "invalid_json";
  public static final String MISSING_PARAMETER = "missing_required_parameter";
  public static final String INVALID_TYPE = "invalid_type";
  public static final String INVALID_VALUE = "invalid_value";
  public static final String UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type";
  public static final String MODEL_NOT_FOUND = "model_not_found";

  private static final String INVALID_REQUEST = "invalid_request_error";

  /** The body is not JSON Detour can read: malformed, not UTF-8, empty, or more than one document. */
  public static ApiError invalidJson(String message) {
    return new ApiError(StatusCodes.BAD_REQUEST, message, INVALID_REQUEST, null, INVALID_JSON);
  }

  /** A required field is absent (or null). */
  public static ApiError missingParameter(String param) {
    return new ApiError(StatusCodes.BAD_REQUEST, "Missing required parameter: '" + param + "'.", INVALID_REQUEST,
        param, MISSING_PARAMETER);
  }

  /** A field holds the wrong JSON type: a string for a number, an object for an array. */
  public static ApiError invalidType(String message, String param) {
    return new ApiError(StatusCodes.BAD_REQUEST, message, INVALID_REQUEST, param, INVALID_TYPE);
  }

  /**
   * A value of the right type that is not allowed (out of range, not one of the values allowed,
   * empty), or a header Detour cannot read: code {@value #INVALID_VALUE}.
   */
  public static ApiError invalidRequest(String message, String param) {
    return new ApiError(StatusCodes.BAD_REQUEST, message, INVALID_REQUEST, param, INVALID_VALUE);
  }

  public static ApiError modelNotFound(String message) {
    return new ApiError(StatusCodes.NOT_FOUND, message, INVALID_REQUEST, "model", MODEL_NOT_FOUND);
  }

  public static ApiError unsupportedMediaType(String message) {
    return new ApiError(StatusCodes.UNSUPPORTED_MEDIA_TYPE, message, INVALID_REQUEST, null, UNSUPPORTED_MEDIA_TYPE);
  }
}
