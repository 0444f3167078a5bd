/**
 * The node's part in the cluster: forming it, the check that a joining node configures the breakers
 * alike, the breakers as sharded entities, the outcomes each node reports to their owners, and the
 * replication of their states into every node's view. Actors only, except
 * {@link detour.router.cluster.ReplicatedView}, which the breaker's own actor calls, and
 * {@link detour.router.cluster.BreakerConfigCheck}, which Akka's cluster actors call on a join.
 */
package detour.router.cluster;
