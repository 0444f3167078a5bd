package detour.router.http;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RawHeader;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.persistence.breaker.FailureKind;
import detour.router.coordinator.Admission;
import detour.router.coordinator.Attempt;
import detour.router.coordinator.RouteOutcome;
import detour.router.coordinator.RouteTrace;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Renders outcomes and errors as OpenAI-format HTTP responses carrying the route trace: in
 * {@code x-detour-*} headers, and in a {@code detour} body field that official SDKs ignore.
 */
final class Replies {
  static final String REQUEST_ID = "x-detour-request-id";
  static final String ROUTE = "x-detour-route";
  static final String PROVIDER = "x-detour-provider";
  static final String MODEL = "x-detour-model";
  static final String ATTEMPTS = "x-detour-attempts";

  private final ObjectMapper json;
  private final InstantSource clock;

  Replies(ObjectMapper json, InstantSource clock) {
    this.json = json;
    this.clock = clock;
  }

  HttpResponse outcome(RouteOutcome outcome) {
    RouteTrace trace = outcome.trace();
    List<HttpHeader> headers = traceHeaders(trace);
    if (outcome instanceof RouteOutcome.Answered answered) {
      headers.add(RawHeader.create(PROVIDER, answered.provider()));
      headers.add(RawHeader.create(MODEL, answered.model()));
      ObjectNode body = answered.response().body();  // ours alone now: the upstream's parsed answer
      body.set("detour", json.valueToTree(TraceBody.of(trace).answeredBy(answered.provider(), answered.model())));
      return json(StatusCodes.OK, body, headers);
    }
    if (outcome instanceof RouteOutcome.Rejected rejected) {
      var failure = rejected.failure();
      var status = failure.status() >= 400 && failure.status() < 500 ? StatusCodes.get(failure.status()) : StatusCodes.BAD_REQUEST;
      String code = failure.kind() == FailureKind.CONTEXT_TOO_LONG ? "context_length_exceeded"
          // The upstream's own code when it gave a clean one; else ours, so that every error has a code.
          : failure.errorType().isEmpty() ? "provider_rejected_request" : failure.errorType();
      String provider = rejected.trace().attempts().stream()
          .filter(a -> a.result() == Attempt.Result.FAILED).reduce((first, last) -> last)
          .map(Attempt::provider).orElse("?");
      var error = new ApiError(status, "Provider '" + provider + "' rejected the request: " + failure.message(),
          "invalid_request_error", null, code);
      return error(error, trace, headers);
    }
    if (outcome instanceof RouteOutcome.Exhausted exhausted && !exhausted.retryable()) {
      // Nothing that may change was in the way: a 4xx, which SDKs do not retry in vain.
      var error = new ApiError(StatusCodes.BAD_REQUEST, "No candidate of '" + trace.route()
          + "' can serve this request as it is, so sending it again unchanged cannot help: " + summary(trace),
          "invalid_request_error", null, "no_capable_candidate");
      return error(error, trace, headers);
    }
    if (outcome instanceof RouteOutcome.Exhausted exhausted) {
      exhausted.retryAt().ifPresent(at -> headers.add(RawHeader.create("Retry-After",
          Long.toString(Math.max(1, ceilSeconds(Duration.between(clock.instant(), at)))))));
      var error = new ApiError(StatusCodes.SERVICE_UNAVAILABLE,
          "No candidate of '" + trace.route() + "' could answer: " + summary(trace), "server_error", null,
          "no_candidate_available");
      return error(error, trace, headers);
    }
    var error = new ApiError(StatusCodes.GATEWAY_TIMEOUT,
        "'" + trace.route() + "' found no answer within its deadline: " + summary(trace), "server_error", null,
        "deadline_exceeded");
    return error(error, trace, headers);
  }

  /** The node refused the request for load (its bound of requests in progress): retry in a second. */
  HttpResponse overloaded(Admission admission, String requestId) {
    List<HttpHeader> headers = new ArrayList<>();
    headers.add(RawHeader.create(REQUEST_ID, requestId));
    headers.add(RawHeader.create("Retry-After", "1"));
    String message = "Detour is serving as many requests as it is allowed (" + admission.limit()
        + ", detour.http.max-in-flight); retry shortly.";
    var error = new ApiError(StatusCodes.SERVICE_UNAVAILABLE, message, "server_error", null, "overloaded");
    return json(error.status(), errorBody(error), headers);
  }

  /** An error found before any provider was asked: no trace but the request id. */
  HttpResponse error(ApiError error, String requestId) {
    List<HttpHeader> headers = new ArrayList<>();
    headers.add(RawHeader.create(REQUEST_ID, requestId));
    return json(error.status(), errorBody(error), headers);
  }

  private HttpResponse error(ApiError error, RouteTrace trace, List<HttpHeader> headers) {
    return json(error.status(), errorBody(error).withTrace(TraceBody.of(trace)), headers);
  }

  ErrorBody errorBody(ApiError error) {
    return ErrorBody.of(error);
  }

  static List<HttpHeader> traceHeaders(RouteTrace trace) {
    List<HttpHeader> headers = new ArrayList<>();
    headers.add(RawHeader.create(REQUEST_ID, trace.requestId()));
    headers.add(RawHeader.create(ROUTE, trace.route()));
    headers.add(RawHeader.create(ATTEMPTS, Long.toString(trace.triedCount())));
    return headers;
  }

  private static String summary(RouteTrace trace) {
    if (trace.attempts().isEmpty()) return "nothing was tried";
    return trace.attempts().stream().map(a -> a.provider() + "/" + a.model() + " " + a.result().wireName()
            + a.errorClass().map(k -> " (" + k.name().toLowerCase(Locale.ROOT)
                + (a.status() > 0 ? " " + a.status() : "") + ")").orElse("")
            + (a.result() == Attempt.Result.SKIPPED ? " (" + a.detail() + ")" : ""))
        .collect(Collectors.joining("; "));
  }

  private static long ceilSeconds(Duration d) {
    return d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
  }

  /** The body, a record of Detour's own or a tree from upstream, written by the one mapper. */
  HttpResponse json(akka.http.javadsl.model.StatusCode status, Object body, List<HttpHeader> headers) {
    try {
      return HttpResponse.create().withStatus(status).addHeaders(headers)
          .withEntity(ContentTypes.APPLICATION_JSON, json.writeValueAsBytes(body));
    } catch (JsonProcessingException impossible) {
      throw new IllegalStateException("a JSON body could not be written", impossible);
    }
  }
}
