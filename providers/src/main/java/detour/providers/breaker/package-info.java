/**
 * Each provider's breaker: its rules as one pure machine ({@link detour.providers.breaker.BreakerMachine}),
 * the event-sourced actor that drives it and owns its circuit's phase, the local judge that drives
 * it too (as does the router's what-if replay, {@code detour.router.whatif}), and the lock-free
 * {@link detour.providers.breaker.BreakerView} that any thread may read on the request path. The
 * machine and its drivers are not thread-safe: one actor (or one replay) owns each.
 */
package detour.providers.breaker;
