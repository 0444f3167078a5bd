package detour.providers.client;

import akka.stream.BufferOverflowException;
import akka.stream.StreamTcpException;
import com.fasterxml.jackson.databind.JsonNode;
import detour.persistence.breaker.FailureKind;
import detour.providers.model.ProviderFailure;
import java.io.IOException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Turns what went wrong on the wire into a {@link ProviderFailure}: one place, so that the breaker
 * and the coordinator never disagree on whose fault a failure was.
 */
public final class FailureClassifier {
  private FailureClassifier() {}

  /**
   * Classifies a non-2xx answer.
   *
   * @param status the HTTP status
   * @param retryAfterHeader the Retry-After header's value, or null
   * @param errorBody the parsed body; may be a missing node when the body was not JSON
   * @param now the current time, to turn an HTTP-date Retry-After into a duration
   */
  public static ProviderFailure fromStatus(
      int status, String retryAfterHeader, JsonNode errorBody, Supplier<ZonedDateTime> now) {
    JsonNode error = errorBody.path("error");
    String message = error.isTextual() ? error.asText() : error.path("message").asText("");
    if (message.isEmpty()) message = "HTTP " + status + " from the provider";
    String type = firstNonEmpty(error.path("code").asText(""), error.path("type").asText(""));
    FailureKind kind = kindOf(status, type, message);
    Optional<Duration> retryAfter = kind == FailureKind.RATE_LIMITED || kind == FailureKind.OVERLOADED
        ? parseRetryAfter(retryAfterHeader, now)
        : Optional.empty();
    return new ProviderFailure(kind, status, message, type, retryAfter);
  }

  /** Classifies a call that ended without an HTTP answer: refused, reset, timed out, shed. */
  public static ProviderFailure fromThrowable(Throwable thrown) {
    Throwable t = unwrap(thrown);
    if (t instanceof BufferOverflowException) {
      return ProviderFailure.of(FailureKind.SHED, 0, "Detour's queue for this provider is full");
    }
    if (t instanceof TimeoutException) {
      return ProviderFailure.of(FailureKind.TIMEOUT, 0, "no complete answer in time: " + t.getMessage());
    }
    if (t instanceof StreamTcpException || t instanceof IOException) {
      return ProviderFailure.of(FailureKind.CONNECTION, 0, t.getMessage());
    }
    // Anything else Akka HTTP raises on a broken exchange (a connection closed mid-answer, an
    // entity stream torn down) is still the connection's failure, not the caller's.
    return ProviderFailure.of(FailureKind.CONNECTION, 0, t.getClass().getSimpleName() + ": " + t.getMessage());
  }

  static FailureKind kindOf(int status, String type, String message) {
    String lower = message.toLowerCase(Locale.ROOT);
    if (status == 429) {
      // OpenAI answers 429 "insufficient_quota" when our account is out of credit: no wait helps.
      return type.equals("insufficient_quota") ? FailureKind.AUTH : FailureKind.RATE_LIMITED;
    }
    if (status == 401 || status == 402 || status == 403) return FailureKind.AUTH;
    if (status == 408) return FailureKind.TIMEOUT;
    if (status == 503 || status == 529) return FailureKind.OVERLOADED;
    if (status >= 500) return FailureKind.SERVER_ERROR;
    if (type.equals("context_length_exceeded") || lower.contains("maximum context length")
        || lower.contains("context window") || lower.contains("too many tokens")) {
      return FailureKind.CONTEXT_TOO_LONG;
    }
    return FailureKind.BAD_REQUEST;
  }

  /** Retry-After is either delay-seconds or an HTTP-date (RFC 9110, 10.2.3). */
  static Optional<Duration> parseRetryAfter(String header, Supplier<ZonedDateTime> now) {
    if (header == null || header.isBlank()) return Optional.empty();
    String value = header.trim();
    try {
      long seconds = Long.parseLong(value);
      return seconds >= 0 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration wait = Duration.between(now.get(), at);
        return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
      } catch (DateTimeParseException notADate) {
        return Optional.empty();
      }
    }
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static String firstNonEmpty(String a, String b) {
    return a.isEmpty() ? b : a;
  }
}
