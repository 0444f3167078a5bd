package detour.providers.client;

import akka.http.scaladsl.model.EntityStreamSizeException;
import akka.stream.BufferOverflowException;
import com.fasterxml.jackson.databind.JsonNode;
import detour.persistence.breaker.FailureKind;
import detour.providers.model.ProviderFailure;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

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
    String type = firstNonEmpty(error.path("code").asText(""), error.path("type").asText(""));
    return fromError(status, retryAfterHeader, type, message, now);
  }

  /**
   * Classifies a non-2xx answer whose protocol's codec has already read the error's type and
   * message from its body.
   *
   * @param type the upstream's error type or code ({@code context_length_exceeded}, {@code
   *     overloaded_error}, {@code RESOURCE_EXHAUSTED}), empty when none
   * @param message its error message, empty when none
   */
  public static ProviderFailure fromError(
      int status, String retryAfterHeader, String type, String message, Supplier<ZonedDateTime> now) {
    if (message == null || message.isEmpty()) message = "HTTP " + status + " from the provider";
    if (type == null) type = "";
    FailureKind kind = kindOf(status, type, message);
    Optional<Duration> retryAfter = kind == FailureKind.RATE_LIMITED || kind == FailureKind.OVERLOADED
        ? parseRetryAfter(retryAfterHeader, now)
        : Optional.empty();
    return new ProviderFailure(kind, status, message, type, retryAfter);
  }

  /**
   * Classifies an error an upstream sent inside a stream it had started with 200: the provider's
   * fault whatever it says, overloaded and rate limits told apart since the breaker weighs them
   * differently.
   */
  public static ProviderFailure inStream(String type, String message) {
    String lower = (type + " " + message).toLowerCase(Locale.ROOT);
    FailureKind kind = lower.contains("overloaded") || lower.contains("unavailable") ? FailureKind.OVERLOADED
        : lower.contains("rate_limit") || lower.contains("rate limit") || lower.contains("resource_exhausted")
            ? FailureKind.RATE_LIMITED
            : FailureKind.SERVER_ERROR;
    return new ProviderFailure(kind, 200, message.isEmpty() ? "an error inside the stream" : message, type,
        Optional.empty());
  }

  /** Classifies a call that ended without an HTTP answer: refused, reset, timed out, shed. */
  public static ProviderFailure fromThrowable(Throwable thrown) {
    Throwable t = unwrap(thrown);
    if (t instanceof BufferOverflowException) {
      return ProviderFailure.of(FailureKind.SHED, 0, "Detour's queue for this provider is full");
    }
    if (t instanceof EntityStreamSizeException tooBig) {
      // The answer outgrew what Detour reads (a caller's large n or logprobs): not the provider's fault.
      return ProviderFailure.of(FailureKind.BAD_REQUEST, 0,
          "the provider's answer is larger than Detour reads (" + tooBig.limit() + " bytes)");
    }
    String text = chainText(t);
    FailureKind kind;
    // Akka raises a connect timeout as a ConnectException subclass: test its text first.
    if (text.contains("Connect timeout")) {
      kind = FailureKind.CONNECT_TIMEOUT;
    } else if (has(t, UnknownHostException.class) || text.contains("UnknownHostException")) {
      kind = FailureKind.DNS;
    } else if (has(t, SSLException.class) || text.contains("SSLHandshakeException") || text.contains("SSLException")) {
      kind = FailureKind.TLS;
    } else if (text.contains("Connection refused") || has(t, ConnectException.class)) {
      kind = FailureKind.CONNECT_REFUSED;
    } else if (t instanceof TimeoutException) {
      kind = FailureKind.TOTAL_TIMEOUT;  // the connection's idle-timeout: the attempt's whole budget
    } else {
      // Anything else Akka HTTP raises on a broken exchange (reset, closed mid-answer, entity
      // stream torn down) is the connection's failure, not the caller's.
      kind = FailureKind.CONNECTION_RESET;
    }
    return ProviderFailure.of(kind, 0, t.getClass().getSimpleName() + ": " + t.getMessage());
  }

  /**
   * Bodies up to this size are ordinary chat requests (text ones are a few KB), below any
   * provider's body limit (several MB): a failure on one is judged by its cause alone, whatever the
   * provider has answered before.
   */
  public static final long OUTSIZED_BODY_BYTES = 1L << 20;

  /** The failures without an answer that a body too large for the provider also produces. */
  public static final Set<FailureKind> SIZE_SENSITIVE =
      EnumSet.of(FailureKind.CONNECTION_RESET, FailureKind.TOTAL_TIMEOUT, FailureKind.FIRST_TOKEN_TIMEOUT);

  /**
   * Judges a call that got no answer at all with the size of the body it was sending. A connection
   * reset or closed, or no answer in time, on a body above {@link #OUTSIZED_BODY_BYTES} that is
   * also larger than any body the provider has answered, is the request's: a provider that drops
   * bodies beyond its limit resets them this way, one that chokes on them times out, and a caller
   * who sends such bodies must not open the provider's circuit for everyone. A provider that is
   * really down still fails every ordinary request, and those count.
   *
   * @param noAnswer the failure as {@link #fromThrowable} (or the coordinator's timer) classified it
   * @param bodyBytes the size of the request body being sent
   * @param largestAnswered the largest request body this provider has answered with a 2xx
   */
  public static ProviderFailure withBodySize(ProviderFailure noAnswer, long bodyBytes, long largestAnswered) {
    if (!SIZE_SENSITIVE.contains(noAnswer.kind()) || bodyBytes <= OUTSIZED_BODY_BYTES
        || bodyBytes <= largestAnswered) {
      return noAnswer;
    }
    String what = noAnswer.kind() == FailureKind.CONNECTION_RESET
        ? "the connection broke before any answer to" : "no answer came in time to";
    return ProviderFailure.of(FailureKind.REQUEST_TOO_LARGE, 0, what + " a body of " + bodyBytes
        + " bytes, larger than any this provider has answered (" + largestAnswered
        + "): taken as the request's size, not the provider's fault (" + noAnswer.message() + ")");
  }

  static FailureKind kindOf(int status, String type, String message) {
    String lower = message.toLowerCase(Locale.ROOT);
    if (status == 429) {
      // OpenAI answers 429 "insufficient_quota" when our account is out of credit: no wait helps.
      return type.equals("insufficient_quota") ? FailureKind.QUOTA : FailureKind.RATE_LIMITED;
    }
    if (status == 402) return FailureKind.QUOTA;
    if (lower.contains("credit balance is too low")) return FailureKind.QUOTA;  // Anthropic sends it as a 400
    if (status == 401 || status == 403) return FailureKind.AUTH;
    if (status == 408) return FailureKind.TOTAL_TIMEOUT;
    if (status == 413) return FailureKind.REQUEST_TOO_LARGE;
    if (status == 404) return FailureKind.NOT_FOUND;
    if (status >= 300 && status < 400) return FailureKind.MISCONFIGURED;
    if (status == 503 || status == 529) return FailureKind.OVERLOADED;
    if (status >= 500) return FailureKind.SERVER_ERROR;
    if (type.equals("context_length_exceeded") || lower.contains("maximum context length")
        || lower.contains("context window") || lower.contains("too many tokens")
        || lower.contains("prompt is too long")  // Anthropic
        || lower.contains("exceeds the maximum number of tokens")) {  // Gemini
      return FailureKind.CONTEXT_TOO_LONG;
    }
    if (type.equals("content_filter") || type.equals("content_policy_violation")
        || lower.contains("content management policy") || lower.contains("content policy")) {
      return FailureKind.CONTENT_POLICY;
    }
    return FailureKind.BAD_REQUEST;
  }

  /** Longer Retry-After values are cut to this: no answer should make a breaker wait for days. */
  static final Duration LONGEST_RETRY_AFTER = Duration.ofDays(1);

  /** Retry-After is either delay-seconds or an HTTP-date (RFC 9110, 10.2.3); cut to a day. */
  static Optional<Duration> parseRetryAfter(String header, Supplier<ZonedDateTime> now) {
    return parse(header, now).map(wait -> wait.compareTo(LONGEST_RETRY_AFTER) > 0 ? LONGEST_RETRY_AFTER : wait);
  }

  private static Optional<Duration> parse(String header, Supplier<ZonedDateTime> now) {
    if (header == null || header.isBlank()) return Optional.empty();
    String value = header.trim();
    try {
      long seconds = Long.parseLong(value);
      return seconds >= 0 ? Optional.of(Duration.ofSeconds(Math.min(seconds, LONGEST_RETRY_AFTER.toSeconds())))
          : Optional.empty();
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

  private static boolean has(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) return true;
    }
    return false;
  }

  /** Akka wraps the JDK's exception in message text more often than as a cause: read both. */
  private static String chainText(Throwable t) {
    StringBuilder text = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      text.append(c.getClass().getName()).append(": ").append(c.getMessage()).append('\n');
    }
    return text.toString();
  }

  private static String firstNonEmpty(String a, String b) {
    return a.isEmpty() ? b : a;
  }
}
