/**
 * One request's walk along its chain: the per-request {@link detour.router.coordinator.RequestCoordinator},
 * its parent, and the trace and outcome it hands back to the HTTP layer; and the same circuit gate
 * read without a request, for readiness and health. Coordinators run on the default dispatcher;
 * the fleet they share is thread-safe.
 */
package detour.router.coordinator;
