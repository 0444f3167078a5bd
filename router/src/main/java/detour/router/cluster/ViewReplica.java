package detour.router.cluster;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.ddata.LWWRegister;
import akka.cluster.ddata.typed.javadsl.DistributedData;
import akka.cluster.ddata.typed.javadsl.Replicator;
import akka.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import detour.persistence.breaker.BreakerScope;
import detour.providers.breaker.BreakerView;
import detour.providers.breaker.VersionedState;
import java.util.Collection;

/**
 * Keeps this node's {@link BreakerView} current with every breaker's replicated state, wherever
 * the breaker runs. The view keeps the higher version, so a late or repeated copy changes nothing.
 * When the owner is unreachable nothing arrives, and the view keeps the last state it knew.
 */
public final class ViewReplica {
  private ViewReplica() {}

  /** Internal only: what the replicator tells it, adapted. */
  public sealed interface Command {}

  /** A replicated state changed (or was first seen); null when its register was deleted. */
  private record Changed(BreakerScope scope, VersionedState state) implements Command {}

  public static Behavior<Command> create(Collection<BreakerScope> scopes, BreakerView view) {
    return Behaviors.setup(ctx -> DistributedData.withReplicatorMessageAdapter(
        (ReplicatorMessageAdapter<Command, LWWRegister<VersionedState>> replicator) -> {
          for (BreakerScope scope : scopes) {
            var key = ReplicatedView.key(scope);
            replicator.subscribe(key, response -> response instanceof Replicator.Changed<LWWRegister<VersionedState>> changed
                ? new Changed(scope, changed.get(key).getValue())
                : new Changed(scope, null));  // deleted: nothing deletes a breaker's register
          }
          return Behaviors.receive(Command.class)
              .onMessage(Changed.class, msg -> {
                if (msg.state() != null) view.publish(msg.scope(), msg.state().state(), msg.state().version());
                return Behaviors.same();
              })
              .build();
        }));
  }
}
