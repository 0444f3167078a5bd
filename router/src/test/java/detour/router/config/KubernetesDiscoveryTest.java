package detour.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import detour.persistence.DetourConfig;
import java.io.File;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which contact points Cluster Bootstrap asks, as the environment chooses them. A variable is given
 * as a root key of the overrides: HOCON resolves {@code ${?DETOUR_DISCOVERY}} against the
 * configuration before the process's environment, so this is the substitution a pod runs.
 */
class KubernetesDiscoveryTest {

  private static final String METHOD = ContactPointDiscovery.METHOD_KEY;
  private static final String VALID = """
      detour.providers.a { base-url = "http://127.0.0.1:1/v1", api-key-required = off }
      detour.models.m-a { provider = a, context-window = 8192 }
      detour.routes.default { chain = [m-a] }
      """;

  private static Config withEnvironment(Map<String, String> environment, Config config) {
    return DetourConfig.load(ConfigFactory.parseMap(environment).withFallback(config));
  }

  @Test
  void contactPointsComeFromTheStaticListUnlessDetourDiscoverySaysOtherwise() {
    var config = withEnvironment(Map.of(), ConfigFactory.parseString(VALID));
    assertEquals("config", config.getString(METHOD));
    assertEquals("config", ContactPointDiscovery.check(config));
  }

  @Test
  void detourDiscoveryKubernetesApiAsksTheKubernetesApiForThePodsLabelledAppDetour() throws Exception {
    var config = withEnvironment(Map.of("DETOUR_DISCOVERY", "kubernetes-api"), ConfigFactory.parseString(VALID));
    assertEquals("kubernetes-api", config.getString(METHOD));
    RouterSettings.from(config);  // the check every node's start makes
    var kubernetes = config.getConfig("akka.discovery.kubernetes-api");
    assertEquals("akka.discovery.kubernetes.KubernetesApiServiceDiscovery", kubernetes.getString("class"));
    Class.forName(kubernetes.getString("class"));  // in the jar, not only named
    // %s is the bootstrap's service name: the pods labelled app=detour.
    assertEquals("app=%s", kubernetes.getString("pod-label-selector"));
    assertEquals("detour", config.getString("akka.management.cluster.bootstrap.contact-point-discovery.service-name"));
    // Unset, the namespace stays the library's placeholder: the pod's own, from its service account.
    assertEquals("<pod-namespace>", kubernetes.getString("pod-namespace"));
    assertTrue(kubernetes.getBoolean("use-raw-ip"), "contact points by pod IP, as the node's management hostname");
  }

  @Test
  void theLabelSelectorAndTheNamespaceComeFromTheEnvironment() {
    var config = withEnvironment(Map.of("DETOUR_DISCOVERY", "kubernetes-api",
        "DETOUR_K8S_POD_LABEL_SELECTOR", "app.kubernetes.io/name=detour,tier=edge",
        "DETOUR_K8S_NAMESPACE", "llm-gateway"), ConfigFactory.parseString(VALID));
    assertEquals("app.kubernetes.io/name=detour,tier=edge",
        config.getString("akka.discovery.kubernetes-api.pod-label-selector"));
    assertEquals("llm-gateway", config.getString("akka.discovery.kubernetes-api.pod-namespace"));
  }

  @Test
  void aDiscoveryMethodAkkaCannotLoadStopsTheStartNamingTheKey() {
    var config = withEnvironment(Map.of("DETOUR_DISCOVERY", "kubernetes"), ConfigFactory.parseString(VALID));
    var refused = assertThrows(ConfigException.BadValue.class, () -> RouterSettings.from(config));
    assertTrue(refused.getMessage().contains(METHOD), refused.getMessage());
    assertTrue(refused.getMessage().contains("'kubernetes'"), refused.getMessage());
  }

  /** deploy/kubernetes/detour.conf under the environment deploy/kubernetes/detour.yaml gives a pod. */
  @Test
  void theKubernetesExampleFormsOneClusterOfPodsOnTheirOwnIpsWithThePostgresJournal() {
    Map<String, String> pod = new HashMap<>(Map.of(
        "DETOUR_NODE_NAME", "detour-5d8f7c9b4-x2x7q",
        "DETOUR_REMOTE_HOST", "10.42.1.17", "DETOUR_MANAGEMENT_HOST", "10.42.1.17",
        "DETOUR_REMOTE_PORT", "25520", "DETOUR_MANAGEMENT_PORT", "8558",
        "DETOUR_DISCOVERY", "kubernetes-api", "DETOUR_CLUSTER_REQUIRED_CONTACTS", "3",
        "DETOUR_PG_URL", "jdbc:postgresql://db.internal:5432/detour", "DETOUR_PG_USER", "detour"));
    pod.put("DETOUR_ADMIN_TOKEN", "a-token-of-twenty-chars");
    var config = withEnvironment(pod, ConfigFactory.parseFile(new File("../deploy/kubernetes/detour.conf")));

    var settings = RouterSettings.from(config);
    assertEquals(ClusterSettings.Formation.BOOTSTRAP, settings.cluster().formation());
    assertEquals("0.0.0.0", settings.host());
    assertEquals("detour-5d8f7c9b4-x2x7q", settings.nodeName());
    assertTrue(settings.adminToken().isPresent(), "the admin API is on");
    assertEquals("kubernetes-api", config.getString(METHOD));
    assertEquals(3, config.getInt("akka.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr"));
    assertEquals("10.42.1.17", config.getString("akka.remote.artery.canonical.hostname"));
    assertEquals(25520, config.getInt("akka.remote.artery.canonical.port"));
    assertEquals("10.42.1.17", config.getString("akka.management.http.hostname"));
    assertEquals(8558, config.getInt("akka.management.http.port"));
    assertEquals("postgres", config.getString("detour.journal.kind"));
    assertEquals("jdbc:postgresql://db.internal:5432/detour", config.getString("detour.journal.postgres.url"));
  }
}
