package detour.providers.model;

import java.util.Objects;

/**
 * An API key. A final class rather than a record, so that no generated {@code toString}, log line
 * or serializer can print it: {@link #reveal()} is the one way out, called only where the
 * authorization header is written.
 */
public final class Secret {
  private final String value;

  private Secret(String value) {
    this.value = Objects.requireNonNull(value, "value");
  }

  public static Secret of(String value) {
    SecretScrubber.remember(value);
    return new Secret(value);
  }

  public String reveal() {
    return value;
  }

  public boolean isBlank() {
    return value.isBlank();
  }

  @Override
  public String toString() {
    return "Secret[***]";
  }
}
