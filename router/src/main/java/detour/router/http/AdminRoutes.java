package detour.router.http;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Scheduler;
import akka.actor.typed.javadsl.AskPattern;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import akka.util.ByteString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import detour.persistence.audit.Audit;
import detour.persistence.audit.AuditFilter;
import detour.persistence.breaker.BreakerScope;
import detour.providers.breaker.BreakerReport;
import detour.providers.breaker.BreakerState;
import detour.providers.breaker.ProviderBreaker;
import detour.providers.breaker.ProviderBreaker.Action;
import detour.providers.model.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API, for operators: {@code GET /admin/breakers} lists every breaker with its state,
 * window and last evidence; {@code POST /admin/breakers/<provider>/<action>} (with {@code "model"} in
 * the body for one model's breaker) forces a circuit open
 * (for a duration), pins it closed, drains it, or resets it, each journaled with who and why;
 * {@code GET /admin/incidents} replays the journal into the audit's incidents and their failovers
 * (JSON; {@code provider}, {@code route}, {@code from}, {@code to} filter it).
 * Off unless a token is configured; every call must carry it as a bearer token.
 */
public final class AdminRoutes extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(AdminRoutes.class);
  private static final Duration PATIENCE = Duration.ofSeconds(10);
  private static final Duration LISTING_PATIENCE = Duration.ofSeconds(3);
  private static final Map<String, Action> ACTIONS = Map.of(
      "open", Action.FORCE_OPEN, "close", Action.FORCE_CLOSED, "drain", Action.DRAIN, "reset", Action.RESET);

  private final Optional<Secret> token;
  /** By scope key, the text the admin API's paths and answers name a breaker by; sorted. */
  private final Map<String, ActorRef<ProviderBreaker.Command>> breakers = new TreeMap<>();
  private final Scheduler scheduler;
  private final ActorSystem<?> system;
  private final ObjectMapper json;
  private final Replies replies;

  AdminRoutes(Optional<Secret> token, Map<BreakerScope, ActorRef<ProviderBreaker.Command>> breakers,
      ActorSystem<?> system, ObjectMapper json, Replies replies) {
    this.token = token;
    breakers.forEach((scope, breaker) -> this.breakers.put(scope.key(), breaker));
    this.scheduler = system.scheduler();
    this.system = system;
    this.json = json;
    this.replies = replies;
  }

  public Route routes() {
    return pathPrefix("admin", () -> extractRequest(request -> {
      Optional<ApiError> refused = authorize(request);
      if (refused.isPresent()) return complete(reply(refused.get()));
      return concat(
          path("breakers", () -> get(() -> completeWithFuture(list()))),
          path("incidents", () -> get(() -> parameterOptional("provider", provider ->
              parameterOptional("from", from -> parameterOptional("to", to -> parameterOptional("route", route ->
                  completeWithFuture(incidents(provider, from, to, route)))))))),
          path(PathMatchers.segment("breakers").slash(PathMatchers.segment()).slash(PathMatchers.segment()),
              (provider, action) -> post(() -> entity(Unmarshaller.entityToByteString(),
                  body -> completeWithFuture(administer(provider, action, body))))));
    }));
  }

  private Optional<ApiError> authorize(HttpRequest request) {
    if (token.isEmpty()) {
      return Optional.of(new ApiError(StatusCodes.NOT_FOUND,
          "The admin API is off: start Detour with DETOUR_ADMIN_TOKEN set to enable it.", "invalid_request_error",
          null, "admin_api_off"));
    }
    String expected = "Bearer " + token.get().reveal();
    String given = request.getHeader("Authorization").map(h -> h.value()).orElse("");
    // Constant time, so the token cannot be guessed a character at a time.
    if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8))) {
      return Optional.of(new ApiError(StatusCodes.UNAUTHORIZED,
          "The admin API needs 'Authorization: Bearer <DETOUR_ADMIN_TOKEN>'.", "invalid_request_error", null,
          "invalid_admin_token"));
    }
    return Optional.empty();
  }

  private CompletionStage<HttpResponse> list() {
    // Each breaker answers for itself: one restarting breaker must not hide the others.
    Map<String, CompletableFuture<AdminBodies.Listed>> asks = new TreeMap<>();
    breakers.forEach((key, breaker) -> asks.put(key, AskPattern.<ProviderBreaker.Command, BreakerReport>ask(
            breaker, ProviderBreaker.Describe::new, LISTING_PATIENCE, scheduler)
        .<AdminBodies.Listed>thenApply(report -> AdminBodies.Report.of(report, json))
        .exceptionally(failure -> new AdminBodies.Unanswered(key,
            "did not answer within " + LISTING_PATIENCE.toSeconds() + " s: " + failure.getMessage()))
        .toCompletableFuture()));
    return CompletableFuture.allOf(asks.values().toArray(CompletableFuture[]::new)).thenApply(done -> {
      var listing = new AdminBodies.Listing(asks.values().stream().map(CompletableFuture::join).toList());
      return replies.json(StatusCodes.OK, listing, List.of());
    });
  }

  /** The audit's incident timeline, as {@code scripts/detour audit --format json} prints it. */
  private CompletionStage<HttpResponse> incidents(Optional<String> provider, Optional<String> from, Optional<String> to,
      Optional<String> route) {
    AuditFilter filter;
    try {
      filter = new AuditFilter(provider, from.map(Instant::parse), to.map(Instant::parse), route);
    } catch (DateTimeParseException bad) {
      return done(ApiError.invalidRequest("'from' and 'to' must be ISO-8601 instants such as 2026-11-25T13:00:00Z: "
          + bad.getParsedString(), null));
    }
    return Audit.read(system, filter, Instant.now()).handle((report, failure) -> {
      if (failure != null) {
        log.error("the audit could not read the journal", failure);
        return reply(new ApiError(StatusCodes.SERVICE_UNAVAILABLE, "The journal could not be read; try again.",
            "server_error", null, "journal_unavailable"));
      }
      return HttpResponse.create().withEntity(akka.http.javadsl.model.ContentTypes.APPLICATION_JSON, report.json());
    });
  }

  private CompletionStage<HttpResponse> administer(String provider, String actionName, ByteString body) {
    Action action = ACTIONS.get(actionName);
    if (action == null) {
      return done(new ApiError(StatusCodes.NOT_FOUND, "No action '" + actionName + "'; actions: open, close, drain, reset.",
          "invalid_request_error", null, "unknown_action"));
    }
    JsonNode order;
    try {
      order = body.isEmpty() ? json.createObjectNode() : json.readTree(body.toArrayUnsafe());
    } catch (IOException malformed) {
      return done(ApiError.invalidJson("The body is not valid JSON: " + malformed.getMessage()));
    }
    Optional<ApiError> invalid = AdminOrder.check(order, action == Action.FORCE_OPEN);
    if (invalid.isPresent()) return done(invalid.get());
    String model = AdminOrder.text(order, "model");
    String scopeKey = model.isEmpty() ? provider : provider + "/" + model;
    var breaker = breakers.get(scopeKey);
    if (breaker == null) {
      return done(new ApiError(StatusCodes.NOT_FOUND, "No breaker '" + scopeKey + "'; known: "
          + String.join(", ", breakers.keySet()) + ". Name a model's breaker with \"model\" in the body.",
          "invalid_request_error", model.isEmpty() ? null : "model", "unknown_breaker"));
    }
    String operator = AdminOrder.text(order, "operator");
    String reason = AdminOrder.text(order, "reason");
    Duration duration = action == Action.FORCE_OPEN
        ? Duration.ofSeconds(order.get("duration_seconds").longValue())
        : Duration.ZERO;
    Duration forHowLong = duration;
    return AskPattern.<ProviderBreaker.Command, BreakerState>ask(breaker,
            replyTo -> new ProviderBreaker.Administer(action, forHowLong, operator, reason, replyTo), PATIENCE, scheduler)
        .handle((state, failure) -> {
          if (failure != null) return reply(unavailable(failure));
          var answer = new AdminBodies.Done(scopeKey, actionName, AdminBodies.State.of(state));
          return replies.json(StatusCodes.OK, answer, List.of());
        });
  }

  private ApiError unavailable(Throwable failure) {
    log.error("a breaker did not answer the admin API", failure);
    return new ApiError(StatusCodes.SERVICE_UNAVAILABLE, "A breaker did not answer in time; nothing was changed "
        + "unless its journal write was already under way. Try again.", "server_error", null, "breaker_unavailable");
  }

  private CompletionStage<HttpResponse> done(ApiError error) {
    return CompletableFuture.completedFuture(reply(error));
  }

  private HttpResponse reply(ApiError error) {
    return replies.json(error.status(), replies.errorBody(error), List.of());
  }
}
