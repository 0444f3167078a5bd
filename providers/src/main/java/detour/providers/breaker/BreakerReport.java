package detour.providers.breaker;

import detour.persistence.CborSerializable;
import detour.persistence.breaker.BreakerEvent.Tripped;
import detour.persistence.breaker.BreakerScope;
import java.util.Optional;

/**
 * One breaker as an operator sees it.
 *
 * @param scope what it guards: a provider, or one of its models
 * @param state its state, as the request path reads it
 * @param window what its window holds now
 * @param lastTrip the last time this node saw it open, with the evidence
 * @param override who pinned or drained it and why, while an override holds
 */
public record BreakerReport(
    BreakerScope scope, BreakerState state, WindowStats window, Optional<Tripped> lastTrip, Optional<String> override)
    implements CborSerializable {}
