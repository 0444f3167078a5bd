package detour.router.cluster;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import detour.persistence.breaker.BreakerScope;
import detour.providers.breaker.ProviderBreaker;
import java.util.function.Function;

/**
 * Every breaker as a sharded entity: its entity id is its scope key, so exactly one node of the
 * cluster runs (and journals) each breaker, under the persistence id it always had.
 */
public final class BreakerShards {
  public static final EntityTypeKey<ProviderBreaker.Command> TYPE =
      EntityTypeKey.create(ProviderBreaker.Command.class, "ProviderBreaker");

  private final ClusterSharding sharding;

  private BreakerShards(ClusterSharding sharding) {
    this.sharding = sharding;
  }

  /**
   * Starts this node's shard region.
   *
   * @param breakerFor the breaker of a scope, as this node would run it when it becomes the owner
   */
  public static BreakerShards start(
      ActorSystem<?> system, Function<BreakerScope, Behavior<ProviderBreaker.Command>> breakerFor) {
    ClusterSharding sharding = ClusterSharding.get(system);
    sharding.init(Entity.of(TYPE, entity -> breakerFor.apply(BreakerScope.ofKey(entity.getEntityId()))));
    return new BreakerShards(sharding);
  }

  /** The breaker of a scope, wherever in the cluster it runs. */
  public EntityRef<ProviderBreaker.Command> breaker(BreakerScope scope) {
    return sharding.entityRefFor(TYPE, scope.key());
  }
}
