package detour.router.http;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An error body as OpenAI sends it, {@code {"error": {"message", "type", "param", "code"}}}, with
 * Detour's route trace beside it when a provider was asked ({@code detour}, which SDKs ignore).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ErrorBody(Error error, TraceBody detour) {

  /** {@code param} and {@code code} are written even when null, as OpenAI writes them. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  record Error(String message, String type, String param, String code) {}

  static ErrorBody of(ApiError error) {
    return new ErrorBody(new Error(error.message(), error.type(), error.param(), error.code()), null);
  }

  ErrorBody withTrace(TraceBody trace) {
    return new ErrorBody(error, trace);
  }
}
