/**
 * Each provider's breaker: an event-sourced actor that owns its circuit's phase, and the lock-free
 * {@link detour.providers.breaker.BreakerView} that any thread may read on the request path.
 */
package detour.providers.breaker;
