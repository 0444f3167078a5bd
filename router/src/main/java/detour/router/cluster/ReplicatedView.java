package detour.router.cluster;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Scheduler;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.ddata.Key;
import akka.cluster.ddata.LWWRegister;
import akka.cluster.ddata.LWWRegisterKey;
import akka.cluster.ddata.SelfUniqueAddress;
import akka.cluster.ddata.typed.javadsl.DistributedData;
import akka.cluster.ddata.typed.javadsl.Replicator;
import detour.persistence.breaker.BreakerScope;
import detour.providers.breaker.BreakerPublisher;
import detour.providers.breaker.BreakerState;
import detour.providers.breaker.BreakerView;
import detour.providers.breaker.VersionedState;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * What a breaker publishes to when it runs in a cluster: this node's view at once, and a
 * Distributed Data register per scope that every node's {@link ViewReplica} follows. The register
 * is last-writer-wins with the breaker's journal sequence number as its clock, so a replica keeps
 * the newest state whatever order copies arrive in, and an owner never lowers it. Written with
 * WriteAll, so every reachable node has it within a round trip; one that was not reachable gets it
 * by gossip, or by asking the owner (see {@link BreakerProxy}).
 *
 * <p>Called on the breaker's own actor; asking the replicator is all it does off this node.
 */
public final class ReplicatedView implements BreakerPublisher {
  /** The register's clock: the version a state was published at, never the wall clock. */
  static final LWWRegister.Clock<VersionedState> BY_VERSION = (current, offered) -> offered.version();

  private final BreakerView local;
  private final ActorRef<Replicator.Command> replicator;
  private final SelfUniqueAddress node;
  private final Replicator.WriteConsistency everyNode;
  private final Scheduler scheduler;
  private final Duration patience;

  public ReplicatedView(BreakerView local, ActorSystem<?> system, Duration writeTimeout) {
    this.local = local;
    DistributedData data = DistributedData.get(system);
    this.replicator = data.replicator();
    this.node = data.selfUniqueAddress();
    this.everyNode = new Replicator.WriteAll(writeTimeout);
    this.scheduler = system.scheduler();
    this.patience = writeTimeout.plusSeconds(1);  // the replicator answers by the write's own timeout
  }

  /** The register holding one scope's state. */
  public static Key<LWWRegister<VersionedState>> key(BreakerScope scope) {
    return LWWRegisterKey.create("breaker|" + scope.key());
  }

  /**
   * Completes once every node's replica holds the state (their views follow within
   * {@code notify-subscribers-interval}), or once {@code view-write-timeout} passed with some node
   * silent: gossip brings it there later.
   */
  @Override
  public CompletionStage<Done> publish(BreakerScope scope, BreakerState state, long version) {
    local.publish(scope, state, version);
    VersionedState offered = new VersionedState(state, version);
    return AskPattern.<Replicator.Command, Replicator.UpdateResponse<LWWRegister<VersionedState>>>ask(replicator,
            replyTo -> new Replicator.Update<>(key(scope), LWWRegister.create(node, offered, BY_VERSION), everyNode,
                replyTo, held -> offer(held, offered, node)), patience, scheduler)
        .handle((written, failed) -> Done.getInstance());
  }

  /** The register once a state is offered: unchanged when it already holds that version or a newer. */
  static LWWRegister<VersionedState> offer(
      LWWRegister<VersionedState> held, VersionedState offered, SelfUniqueAddress node) {
    return held.timestamp() >= offered.version() ? held : held.withValue(node, offered, BY_VERSION);
  }
}
