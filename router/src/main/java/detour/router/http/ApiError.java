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
 * @param code a stable machine-readable code, or null
 */
public record ApiError(StatusCode status, String message, String type, String param, String code) {

  /** The error as the body OpenAI sends: {@code {"error": {"message", "type", "param", "code"}}}. */
  public ObjectNode body(ObjectMapper json) {
    ObjectNode body = json.createObjectNode();
    body.putObject("error")
        .put("message", message)
        .put("type", type)
        .put("param", param)
        .put("code", code);
    return body;
  }

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
}
