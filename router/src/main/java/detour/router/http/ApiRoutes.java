package detour.router.http;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Scheduler;
import akka.actor.typed.javadsl.AskPattern;
import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.HttpEntity;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.ExceptionHandler;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.RejectionHandler;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import akka.http.scaladsl.model.EntityStreamSizeException;
import akka.util.ByteString;
import com.fasterxml.jackson.databind.ObjectMapper;
import detour.persistence.LogText;
import detour.providers.client.Stages;
import detour.router.config.Plan;
import detour.router.config.RoutePlanner;
import detour.providers.model.Secret;
import detour.router.coordinator.Admission;
import detour.router.coordinator.Coordinators.Coordinate;
import detour.router.coordinator.ProviderFleet;
import detour.router.coordinator.RouteOutcome;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API: {@code POST /v1/chat/completions}, {@code GET /v1/models}, and {@code GET /live},
 * {@code /ready} and {@code /health} ({@link HealthRoutes}).
 * Every answer, a rejected path or a crash included, is JSON in OpenAI's error format.
 */
public final class ApiRoutes extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(ApiRoutes.class);
  private static final Pattern CALLER_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  /** Beyond the route's own deadline, which the coordinator enforces: only a crashed coordinator meets it. */
  private static final Duration ASK_MARGIN = Duration.ofSeconds(5);
  /** The caller's deadline for its request, in milliseconds: it may shorten the route's, never lengthen it. */
  static final String DEADLINE_HEADER = "x-detour-deadline-ms";
  private static final Duration MAX_CALLER_DEADLINE = Duration.ofHours(1);

  private final RoutePlanner planner;
  private final ActorRef<Coordinate> coordinators;
  private final Admission admission;
  private final Scheduler scheduler;
  private final ObjectMapper json;
  private final ChatRequestReader reader;
  private final Replies replies;
  private final StreamReplies streams;
  private final AdminRoutes admin;
  private final HealthRoutes health;

  public ApiRoutes(
      RoutePlanner planner,
      ActorRef<Coordinate> coordinators,
      Admission admission,
      ActorSystem<?> system,
      ProviderFleet fleet,
      Optional<Secret> adminToken,
      ObjectMapper json,
      InstantSource clock) {
    this.planner = planner;
    this.coordinators = coordinators;
    this.admission = admission;
    this.scheduler = system.scheduler();
    this.json = json;
    this.reader = new ChatRequestReader(json);
    this.replies = new Replies(json, clock);
    this.streams = new StreamReplies(json, replies);
    this.admin = new AdminRoutes(adminToken, fleet.breakers(), system, json, replies);
    this.health = new HealthRoutes(planner, fleet, admission, json, replies, clock);
  }

  public Route routes() {
    return handleExceptions(exceptions(), () -> handleRejections(rejections(), () -> concat(
        pathPrefix("v1", () -> concat(
            path(PathMatchers.segment("chat").slash("completions"), () -> post(() -> extractRequest(this::chat))),
            path("models", () -> get(() -> complete(models()))))),
        health.routes(),
        admin.routes())));
  }

  private Route chat(HttpRequest request) {
    String requestId = requestId(request);
    ContentType type = request.entity().getContentType();
    if (!type.mediaType().equals(MediaTypes.APPLICATION_JSON)) {
      return complete(replies.error(ApiError.unsupportedMediaType(
          "Content-Type must be application/json; got " + type.mediaType() + "."), requestId));
    }
    if (admission.atBoundOnArrival()) {
      // Before the body is read or parsed: under overload, a refusal must cost far less than a request.
      return complete(replies.overloaded(admission, requestId));
    }
    Optional<String> deadline = request.getHeader(DEADLINE_HEADER).map(h -> h.value());
    return entity(Unmarshaller.entityToByteString(), body -> completeWithFuture(route(requestId, deadline, body)));
  }

  private CompletionStage<HttpResponse> route(String requestId, Optional<String> deadlineHeader, ByteString body) {
    var read = reader.read(body);
    if (read instanceof ChatRequestReader.Invalid invalid) {
      return CompletableFuture.completedFuture(replies.error(invalid.error(), requestId));
    }
    var valid = (ChatRequestReader.Valid) read;
    var request = valid.request();
    CallerChoices choices = valid.choices();
    Optional<Plan> plan = planner.plan(request.model());
    if (plan.isEmpty()) {
      return CompletableFuture.completedFuture(replies.error(ApiError.modelNotFound(
          "The model '" + request.model() + "' does not exist: it names no route and no catalogue model. "
              + "GET /v1/models lists them."), requestId));
    }
    Plan chosen = plan.get();
    if (choices.models().isPresent()) {
      Plan.Narrowed narrowed = chosen.narrowedTo(choices.models().get());
      if (narrowed.refusal() != null) {
        return CompletableFuture.completedFuture(replies.error(ApiError.invalidValue(
            "'models' may only reorder or leave out the models of the route named in 'model': " + narrowed.refusal(),
            "models"), requestId));
      }
      chosen = narrowed.plan();
    }
    if (deadlineHeader.isPresent()) {
      Optional<Duration> callers = callerDeadline(deadlineHeader.get());
      if (callers.isEmpty()) {
        return CompletableFuture.completedFuture(replies.error(ApiError.invalidValue(
            DEADLINE_HEADER + " must be a whole number of milliseconds from 1 to " + MAX_CALLER_DEADLINE.toMillis()
                + "; got '" + deadlineHeader.get() + "'.", null), requestId));
      }
      chosen = chosen.withDeadlineAtMost(callers.get());
    }
    Plan planned = chosen;
    Optional<Admission.Place> admitted = admission.tryAdmit();
    if (admitted.isEmpty()) {
      // Refused before any work: a fast, retryable answer instead of a queue that grows the heap.
      return CompletableFuture.completedFuture(replies.overloaded(admission, requestId));
    }
    Admission.Place place = admitted.get();
    Duration patience = planned.deadline().plus(ASK_MARGIN);
    CompletableFuture<RouteOutcome> asked;
    try {
      asked = Stages.plain(AskPattern.<Coordinate, RouteOutcome>ask(coordinators,
          replyTo -> new Coordinate(requestId, request, planned, replyTo, place), patience, scheduler));
    } catch (RuntimeException notSent) {
      asked = CompletableFuture.failedFuture(notSent);
    }
    // No outcome: the coordinator crashed (its parent has released the place already), or the ask
    // never reached a coordinator (nobody else will). Releasing again is a no-op.
    asked.whenComplete((outcome, failure) -> {
      if (failure != null) place.release();
    });
    return asked
        .thenApply(outcome -> outcome instanceof RouteOutcome.Streaming streaming
            ? streams.render(streaming, choices.includeUsage(),
                interTokenTimeout(planned, streaming.provider()))
            : replies.outcome(outcome))
        .exceptionally(failure -> {
          log.error("request_id={} got no answer from its coordinator", LogText.escape(requestId), failure);
          return replies.error(new ApiError(StatusCodes.INTERNAL_SERVER_ERROR,
              "Detour failed to answer this request (request id " + requestId + ").", "server_error", null,
              "internal_error"), requestId);
        });
  }

  /** A caller's own deadline for its request, in milliseconds; it may only shorten the route's. */
  private static Optional<Duration> callerDeadline(String header) {
    try {
      long millis = Long.parseLong(header.trim());
      return millis >= 1 && millis <= MAX_CALLER_DEADLINE.toMillis() ? Optional.of(Duration.ofMillis(millis))
          : Optional.empty();
    } catch (NumberFormatException notANumber) {
      return Optional.empty();
    }
  }

  private static Duration interTokenTimeout(Plan plan, String provider) {
    return plan.candidates().stream().filter(c -> c.providerName().equals(provider)).findFirst()
        .map(c -> c.provider().interTokenTimeout()).orElse(Duration.ZERO);
  }

  private HttpResponse models() {
    return replies.json(StatusCodes.OK, ModelList.of(planner.names()), List.of());
  }

  /**
   * Akka's own rejections (unknown path, wrong method, a body beyond the limit) in OpenAI's error
   * format, each with the code its status stands for.
   */
  private RejectionHandler rejections() {
    return RejectionHandler.defaultHandler().mapRejectionResponse(response -> {
      String message = response.status().equals(StatusCodes.NOT_FOUND)
          ? "Unknown path. Detour serves POST /v1/chat/completions, GET /v1/models, GET /health, GET /live, GET /ready and /admin/."
          : response.status().equals(StatusCodes.PAYLOAD_TOO_LARGE) ? tooLarge(strictText(response.entity()))
          : strictText(response.entity());
      var error = ApiError.ofStatus(response.status(), message);
      return replies.json(response.status(), replies.errorBody(error), List.of());
    });
  }

  private ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder()
        .match(EntityStreamSizeException.class, tooBig -> complete(replies.json(StatusCodes.PAYLOAD_TOO_LARGE,
            replies.errorBody(ApiError.ofStatus(StatusCodes.PAYLOAD_TOO_LARGE, tooLarge(tooBig.limit()))), List.of())))
        .matchAny(bug -> {
          log.error("unexpected failure while serving a request", bug);
          return complete(replies.json(StatusCodes.INTERNAL_SERVER_ERROR,
              replies.errorBody(new ApiError(StatusCodes.INTERNAL_SERVER_ERROR, "Detour failed to answer this request.",
                  "server_error", null, "internal_error")), List.of()));
        })
        .build();
  }

  private static final Pattern AKKAS_SIZE_LIMIT = Pattern.compile("size limit \\((\\d+) bytes\\)");

  /** Detour's words for a body beyond the limit, in place of Akka's (which name its own settings). */
  private static String tooLarge(String akkasText) {
    var limit = AKKAS_SIZE_LIMIT.matcher(akkasText);
    return limit.find() ? tooLarge(Long.parseLong(limit.group(1)))
        : "The request body is larger than this Detour accepts.";
  }

  private static String tooLarge(long limit) {
    return "The request body is larger than this Detour accepts (" + limit + " bytes).";
  }

  private static String strictText(HttpEntity entity) {
    return entity instanceof HttpEntity.Strict strict ? strict.getData().utf8String() : "The request was rejected.";
  }

  private static String requestId(HttpRequest request) {
    return request.getHeader("x-request-id")
        .map(h -> h.value())
        .filter(id -> CALLER_REQUEST_ID.matcher(id).matches())
        .orElseGet(() -> Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE));
  }
}
