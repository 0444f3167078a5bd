package detour.providers.model;

/**
 * Fails a stream of chunks when the upstream breaks off after it started streaming: carries the
 * classified failure to whoever reads the stream. No stack trace: it is an outcome, not a bug.
 */
public final class ProviderStreamException extends RuntimeException {
  private final transient ProviderFailure failure;

  public ProviderStreamException(ProviderFailure failure) {
    super(failure.kind() + ": " + failure.message(), null, false, false);
    this.failure = failure;
  }

  public ProviderFailure failure() {
    return failure;
  }
}
