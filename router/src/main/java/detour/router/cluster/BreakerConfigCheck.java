package detour.router.cluster;

import akka.cluster.ConfigValidation;
import akka.cluster.Invalid;
import akka.cluster.JoinConfigCompatChecker;
import akka.cluster.Valid;
import com.typesafe.config.Config;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Refuses a node whose breakers are configured unlike the cluster's ({@link BreakerFingerprint}):
 * Akka's join-time configuration check ({@code akka.cluster.configuration-compatibility-check}), so
 * the refused node stops by itself (CoordinatedShutdown) before it serves anything.
 *
 * <p>Akka runs the check twice per join. First on the cluster's node that answers the join, with
 * the joining node's fingerprint (this node's configuration stripped of
 * {@code sensitive-config-paths}); if that passes, on the joining node, with the cluster's
 * fingerprint. Only a refusal on the joining side shows the joining node why: a refusal on the
 * cluster's side reaches it as a bare "incompatible" without the messages. So the cluster's side logs
 * what differs and lets the joining node refuse itself, naming every difference; it refuses on its
 * own only a node that sends no fingerprint (a Detour without this check, or with it disabled), which
 * cannot. Either way the joining node decides whether a refusal stops it ({@code enforce-on-join},
 * on by default). The side is told by {@value #OWN_CONFIGURATION}: in every node's configuration,
 * and listed in {@code sensitive-config-paths}, so Akka never sends it and strips it from what the
 * cluster's side compares.
 *
 * <p>The first node of a cluster joins itself, with nothing to compare: its configuration becomes
 * the cluster's.
 */
public final class BreakerConfigCheck extends JoinConfigCompatChecker {
  /** Present only in a node's own, whole configuration: see the class comment. */
  static final String OWN_CONFIGURATION = "detour-join-check.own-configuration";
  private static final Logger log = LoggerFactory.getLogger(BreakerConfigCheck.class);
  private static final Seq<String> REQUIRED = CollectionConverters.asScala(List.of(BreakerFingerprint.PATH)).toList();

  /** Akka creates it by reflection, with no argument. */
  public BreakerConfigCheck() {}

  @Override
  public Seq<String> requiredKeys() {
    return REQUIRED;
  }

  /**
   * @param toCheck the other node's fingerprint, as Akka sent it
   * @param actualConfig this node's configuration: whole when it is the joining node, without the
   *     sensitive paths when it answers for the cluster
   */
  @Override
  public ConfigValidation check(Config toCheck, Config actualConfig) {
    return actualConfig.hasPath(OWN_CONFIGURATION) ? checkAsJoiningNode(toCheck, actualConfig)
        : checkForTheCluster(toCheck, actualConfig);
  }

  private ConfigValidation checkAsJoiningNode(Config cluster, Config own) {
    if (!BreakerFingerprint.isIn(cluster)) {
      return refuse("the cluster's node sent no " + BreakerFingerprint.PATH + ": it runs a Detour without this "
          + "check, or has it disabled, and cannot say how it configures its breakers");
    }
    List<String> differences = BreakerFingerprint.differences(own, cluster, "the cluster");
    if (differences.isEmpty()) return Valid.getInstance();
    log.error("This node configures its breakers unlike the cluster it tried to join, so it does not join and stops "
        + "(docs/operations.md, \"Every node configures the breakers alike\"): {}", String.join("; ", differences));
    return invalid(differences);
  }

  private ConfigValidation checkForTheCluster(Config joining, Config own) {
    if (!BreakerFingerprint.isIn(joining)) {
      return invalid(List.of("the joining node sent no " + BreakerFingerprint.PATH + ": it runs a Detour without "
          + "this check, or has it disabled, and cannot say how it configures its breakers"));
    }
    List<String> differences = BreakerFingerprint.differences(own, joining, "the joining node");
    if (!differences.isEmpty()) {
      log.warn("A node tried to join with breakers configured unlike this node's; it refuses itself and stops: {}",
          String.join("; ", differences));
    }
    return Valid.getInstance();
  }

  private static ConfigValidation refuse(String why) {
    log.error("This node cannot join the cluster and stops: {}", why);
    return invalid(List.of(why));
  }

  private static ConfigValidation invalid(List<String> messages) {
    return new Invalid(CollectionConverters.asScala(messages).toList());
  }
}
