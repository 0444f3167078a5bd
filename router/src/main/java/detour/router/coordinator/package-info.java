/**
 * One request's walk along its chain: the per-request {@link detour.router.coordinator.RequestCoordinator},
 * its parent, and the trace and outcome it hands back to the HTTP layer; and the same circuit gate
 * read without a request, for readiness and health. Coordinators run on the default dispatcher;
 * the fleet they share is thread-safe.
 *
 * <p>Each hop of the walk asks {@link detour.router.coordinator.HopChecks#forRequest}'s checks in
 * order; the first {@link detour.router.coordinator.HopVerdict} that is not {@code Try} decides. A
 * new check on every hop goes in that list, as a pure function in its own file returning a
 * verdict (a {@code Skip} with its {@code SkipCause} to pass the candidate over), before the
 * circuit gate ({@link detour.router.coordinator.CircuitGate}), which comes last because it may
 * send the walk to ask a breaker for its probe.
 */
package detour.router.coordinator;
