package detour.router.coordinator;

import detour.persistence.breaker.FailureKind;
import detour.providers.client.FailureClassifier;
import detour.providers.model.ProviderFailure;
import detour.providers.model.ProviderStreamException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/** Why a stream broke off, as a {@link ProviderFailure}: one reading for the coordinator and the HTTP layer. */
public final class StreamFailures {
  private StreamFailures() {}

  /**
   * @param committed whether the first content had already arrived: a silence before it is a
   *     first-token timeout, after it an inter-token one
   * @param interTokenTimeout the silence that was allowed, for the message
   */
  public static ProviderFailure classify(Throwable thrown, boolean committed, Duration interTokenTimeout) {
    Throwable t = thrown instanceof CompletionException && thrown.getCause() != null ? thrown.getCause() : thrown;
    if (t instanceof ProviderStreamException stream) return stream.failure();
    if (t instanceof TimeoutException) {
      return ProviderFailure.of(committed ? FailureKind.INTER_TOKEN_TIMEOUT : FailureKind.FIRST_TOKEN_TIMEOUT, 0,
          "the stream sent nothing for " + interTokenTimeout.toMillis() + "ms");
    }
    return FailureClassifier.fromThrowable(t);
  }
}
