package detour.router.cluster;

import akka.actor.typed.Behavior;
import akka.actor.typed.RecipientRef;
import akka.actor.typed.javadsl.ActorContext;
import detour.persistence.breaker.BreakerScope;
import detour.providers.breaker.BreakerPublisher;
import detour.providers.breaker.BreakerView;
import detour.providers.breaker.ProviderBreaker;
import detour.router.config.ClusterSettings;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Where each scope's breaker runs. In a cluster (of one, by default) it is a sharded entity on
 * exactly one node, which publishes its states to every node's view ({@link ReplicatedView}, read
 * by each node's {@link ViewReplica}); with {@code formation = off}, a child of the caller that
 * publishes to this node's view alone.
 */
public final class BreakerOwners {
  private BreakerOwners() {}

  /**
   * Joins the cluster (unless off) and starts what the breakers need on this node.
   *
   * @param breaker a scope's breaker as this node runs it when it owns it, publishing to the given
   * @return each scope's owner, to tell and ask
   */
  public static Function<BreakerScope, RecipientRef<ProviderBreaker.Command>> start(ActorContext<?> ctx,
      ClusterSettings settings, Set<BreakerScope> scopes, BreakerView view,
      BiFunction<BreakerScope, BreakerPublisher, Behavior<ProviderBreaker.Command>> breaker) {
    if (settings.formation() == ClusterSettings.Formation.OFF) {
      return scope -> ctx.spawn(breaker.apply(scope, view),
          "breaker-" + URLEncoder.encode(scope.key(), StandardCharsets.UTF_8));
    }
    ClusterFormation.join(ctx.getSystem(), settings);
    var published = new ReplicatedView(view, ctx.getSystem(), settings.viewWriteTimeout());
    var shards = BreakerShards.start(ctx.getSystem(), scope -> breaker.apply(scope, published));
    ctx.spawn(ViewReplica.create(scopes, view), "breaker-view");
    return shards::breaker;
  }
}
