/**
 * One request's walk along its chain: the per-request {@link detour.router.coordinator.RequestCoordinator},
 * its parent, and the trace and outcome it hands back to the HTTP layer. Coordinators run on the
 * default dispatcher; the fleet they share is thread-safe.
 */
package detour.router.coordinator;
