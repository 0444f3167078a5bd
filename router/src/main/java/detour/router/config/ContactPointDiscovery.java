package detour.router.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

/**
 * Checks that Cluster Bootstrap's discovery method ({@code DETOUR_DISCOVERY}) names one Akka
 * Discovery can load. Akka would only find out once the bootstrap started, in a log line, while the
 * node waited for a cluster forever; a typo ({@code kubernetes}) stops the node at start-up instead.
 */
final class ContactPointDiscovery {
  private ContactPointDiscovery() {}

  static final String METHOD_KEY = "akka.management.cluster.bootstrap.contact-point-discovery.discovery-method";

  /** The method named, once Akka Discovery is known to have a section with a class for it. */
  static String check(Config config) {
    String method = config.getString(METHOD_KEY).strip();
    // "akka.discovery" means Akka Discovery's own default method; any other is looked up the way
    // Akka Discovery does: a section under akka.discovery, or a full config path.
    String named = method.equals("akka.discovery") ? config.getString("akka.discovery.method") : method;
    boolean known = config.hasPath("akka.discovery." + named + ".class") || config.hasPath(named + ".class");
    if (!known) {
      throw new ConfigException.BadValue(config.getValue(METHOD_KEY).origin(), METHOD_KEY,
          "names '" + method + "', for which akka.discovery has no section with a class;"
              + " use config (the static list) or kubernetes-api (DETOUR_DISCOVERY)");
    }
    return method;
  }
}
