package detour.router.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.Locale;

/**
 * How the node joins its cluster and talks to the breakers' owners: {@code detour.cluster}.
 *
 * @param formation {@link Formation#SELF}: a cluster of one that joins itself (the default);
 *     {@link Formation#BOOTSTRAP}: Akka Cluster Bootstrap from {@code akka.discovery}'s contact
 *     points; {@link Formation#OFF}: no cluster, each breaker a local actor (for tests whose
 *     scheduler is moved by hand, which the cluster's own timers cannot run on)
 * @param successReportInterval a node reports its successes to each breaker's owner in one message
 *     per interval at most; failures go at once
 * @param keepAliveInterval how often a node asks each breaker's owner for its state: it restarts a
 *     breaker whose node left and refreshes a view that missed an update
 * @param viewWriteTimeout how long a breaker's owner waits for every node to take its new state
 *     before gossip is left to carry it
 * @param ownerSilence how long a breaker's owner may leave the keep-alive unanswered before this
 *     node judges its own outcomes and may hold the circuit open for itself
 * @param probePermitTimeout how long a request waits for the owner to grant a probe permit before
 *     it counts as refused and the request goes on to its next model
 */
public record ClusterSettings(Formation formation, Duration successReportInterval, Duration keepAliveInterval,
    Duration viewWriteTimeout, Duration ownerSilence, Duration probePermitTimeout) {

  public enum Formation { SELF, BOOTSTRAP, OFF }

  /**
   * Reads and checks {@code detour.cluster} of a resolved configuration.
   *
   * @param provider {@code akka.actor.provider}: a cluster needs {@code cluster}
   */
  static ClusterSettings from(Config cluster, String provider) {
    String raw = cluster.getString("formation").trim().toLowerCase(Locale.ROOT);
    Formation formation = switch (raw) {
      case "self" -> Formation.SELF;
      case "bootstrap" -> Formation.BOOTSTRAP;
      case "off" -> Formation.OFF;
      default -> throw new ConfigException.BadValue(cluster.origin(), "detour.cluster.formation",
          "must be self, bootstrap or off, got '" + raw + "'");
    };
    require(formation == Formation.OFF || provider.equals("cluster"), cluster, "detour.cluster.formation",
        "is " + raw + ", which needs akka.actor.provider = cluster (it is " + provider + ")");
    Duration report = cluster.getDuration("success-report-interval");
    require(report.compareTo(Duration.ofMillis(1)) >= 0 && report.compareTo(Duration.ofSeconds(10)) <= 0, cluster,
        "detour.cluster.success-report-interval", "must be from 1ms to 10s, got " + report);
    Duration keepAlive = cluster.getDuration("keep-alive-interval");
    require(keepAlive.compareTo(Duration.ofMillis(100)) >= 0, cluster, "detour.cluster.keep-alive-interval",
        "must be at least 100ms, got " + keepAlive);
    Duration write = cluster.getDuration("view-write-timeout");
    require(write.compareTo(Duration.ofMillis(10)) >= 0, cluster, "detour.cluster.view-write-timeout",
        "must be at least 10ms, got " + write);
    Duration silence = cluster.getDuration("owner-silence");
    require(silence.compareTo(keepAlive) > 0, cluster, "detour.cluster.owner-silence",
        "must be longer than keep-alive-interval (" + keepAlive + "), got " + silence);
    Duration permit = cluster.getDuration("probe-permit-timeout");
    require(permit.compareTo(Duration.ofMillis(10)) >= 0, cluster, "detour.cluster.probe-permit-timeout",
        "must be at least 10ms, got " + permit);
    return new ClusterSettings(formation, report, keepAlive, write, silence, permit);
  }

  private static void require(boolean ok, Config block, String path, String problem) {
    if (!ok) throw new ConfigException.BadValue(block.origin(), path, problem);
  }
}
