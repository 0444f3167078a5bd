package detour.router.config;

import detour.persistence.routing.SkipCause;
import java.util.Objects;

/**
 * Why a candidate can never be tried on its route, whatever the breakers say, decided once when
 * the route's plan is built, with the cause the routing record counts its skips under.
 *
 * @param cause {@link SkipCause#UNUSABLE} for a provider that cannot be called (its key is
 *     missing), {@link SkipCause#GUARDRAIL} for a model a catalogue rule of the route refuses
 * @param reason the skip's reason in the trace
 */
public record Unusable(SkipCause cause, String reason) {
  public Unusable {
    Objects.requireNonNull(cause, "cause");
    Objects.requireNonNull(reason, "reason");
  }

  /** Its provider cannot be called at all. */
  public static Unusable provider(String reason) {
    return new Unusable(SkipCause.UNUSABLE, reason);
  }

  /** What the catalogue says of its model breaks the route's guardrails. */
  public static Unusable guardrail(String reason) {
    return new Unusable(SkipCause.GUARDRAIL, reason);
  }
}
