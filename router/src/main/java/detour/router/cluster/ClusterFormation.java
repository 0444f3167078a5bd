package detour.router.cluster;

import akka.actor.typed.ActorSystem;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.management.cluster.bootstrap.ClusterBootstrap;
import akka.management.javadsl.AkkaManagement;
import detour.router.config.ClusterSettings;

/** Makes the node a cluster member: alone, or with the nodes Cluster Bootstrap finds. */
public final class ClusterFormation {
  private ClusterFormation() {}

  public static void join(ActorSystem<?> system, ClusterSettings settings) {
    switch (settings.formation()) {
      case SELF -> {
        Cluster cluster = Cluster.get(system);
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
      }
      case BOOTSTRAP -> {
        // The management endpoint is how bootstrapping nodes find each other, and what load
        // balancers ask (/ready): it must run before the bootstrap starts.
        AkkaManagement.get(system).start();
        ClusterBootstrap.get(system).start();
      }
    }
  }
}
