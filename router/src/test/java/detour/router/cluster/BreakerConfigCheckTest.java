package detour.router.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.cluster.ConfigValidation;
import akka.cluster.Invalid;
import akka.cluster.Valid;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import detour.persistence.DetourConfig;
import detour.providers.breaker.BreakerSettings;
import detour.router.config.RouterSettings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The join-time check, driven as Akka drives it: first on the cluster's node with what the joining
 * node sent, then (if that passed) on the joining node with what the cluster sent back, each across
 * the wire as Akka renders it.
 */
class BreakerConfigCheckTest {
  static final String NODE = """
      detour.providers.primary { base-url = "http://127.0.0.1:1/v1", api-key = "sk-primary-secret-1" }
      detour.providers.fallback { base-url = "http://127.0.0.1:2/v1", api-key-required = off }
      detour.models.large { provider = primary, upstream-model = "big-1", context-window = 8192 }
      detour.models.small { provider = fallback, context-window = 4096 }
      detour.routes.default { chain = [large, small] }
      detour.breaker.cooldown = 30s
      """;

  final BreakerConfigCheck check = new BreakerConfigCheck();

  @Test
  void aNodeConfiguredLikeTheClusterJoins() {
    var join = join(node(NODE), node(NODE));
    assertEquals(Valid.getInstance(), join.byTheCluster());
    assertEquals(Valid.getInstance(), join.byTheJoiningNode());
  }

  @Test
  void theSameDurationWrittenAnotherWayIsAlike() {
    var join = join(node(NODE + "detour.providers.primary.breaker.cooldown = 30000ms"), node(NODE));
    assertEquals(Valid.getInstance(), join.byTheJoiningNode());
  }

  @Test
  void aDifferentCooldownForOneProviderIsRefusedNamingTheProviderAndTheKey() {
    var join = join(node(NODE + "detour.providers.primary.breaker.cooldown = 45s"), node(NODE));
    assertEquals(Valid.getInstance(), join.byTheCluster(), "the cluster's side lets the joining node say why");
    List<String> why = messages(join.byTheJoiningNode());
    assertEquals(1, why.size(), why.toString());
    assertTrue(why.get(0).contains("provider 'primary'"), why.get(0));
    assertTrue(why.get(0).contains("detour.providers.primary.breaker.cooldown"), why.get(0));
    assertFalse(why.get(0).contains("45"), "names the key, never the value: " + why.get(0));
  }

  @Test
  void aDifferentGlobalDefaultIsRefusedForEveryProviderThatInheritsIt() {
    var join = join(node(NODE + "detour.breaker.consecutive-faults = 3"), node(NODE));
    List<String> why = messages(join.byTheJoiningNode());
    assertEquals(2, why.size(), why.toString());
    assertTrue(why.get(0).contains("detour.providers.fallback.breaker.consecutive-faults"), why.toString());
    assertTrue(why.get(1).contains("detour.providers.primary.breaker.consecutive-faults"), why.toString());
  }

  @Test
  void aDifferentUrlApiKeyTimeoutOrRouteStillJoins() {
    var joining = node(NODE.replace("sk-primary-secret-1", "sk-another-secret-2").replace("127.0.0.1:1", "10.0.0.9:443")
        + "detour.providers.primary.attempt-timeout = 30s\ndetour.routes.default.chain = [small, large]");
    var join = join(joining, node(NODE));
    assertEquals(Valid.getInstance(), join.byTheCluster());
    assertEquals(Valid.getInstance(), join.byTheJoiningNode());
  }

  @Test
  void anExtraProviderOnTheJoiningNodeIsRefused() {
    var joining = node(NODE + "detour.providers.extra { base-url = \"http://127.0.0.1:3/v1\", api-key-required = off }");
    List<String> why = messages(join(joining, node(NODE)).byTheJoiningNode());
    assertEquals(List.of("provider 'extra' (detour.providers.extra) is configured on this node but not in the cluster"),
        why);
  }

  @Test
  void aProviderTheJoiningNodeLacksIsRefused() {
    var cluster = node(NODE + "detour.providers.extra { base-url = \"http://127.0.0.1:3/v1\", api-key-required = off }");
    List<String> why = messages(join(node(NODE), cluster).byTheJoiningNode());
    assertEquals(List.of("provider 'extra' (detour.providers.extra) is configured in the cluster but not on this node"),
        why);
  }

  @Test
  void aModelWithABreakerOfItsOwnOnOneSideOnlyIsRefusedNamingTheScope() {
    var joining = node(NODE + "detour.models.other { provider = primary, upstream-model = \"big-2\", context-window = 8192 }");
    List<String> why = messages(join(joining, node(NODE)).byTheJoiningNode());
    assertEquals(1, why.size(), why.toString());
    assertTrue(why.get(0).contains("provider 'primary'") && why.get(0).contains("primary/big-2")
        && why.get(0).contains("only on this node"), why.get(0));
  }

  @Test
  void aJoiningNodeThatSendsNoFingerprintIsRefusedByTheCluster() {
    Config withoutCheck = node(NODE).withoutPath("detour-join-check");
    assertTrue(join(withoutCheck, node(NODE)).byTheCluster() instanceof Invalid);
  }

  @Test
  void noSecretIsSentAndTheRequiredKeysHoldOnlyTheFingerprint() {
    Config sent = sent(node(NODE));
    String wire = sent.root().render(ConfigRenderOptions.concise());
    assertFalse(wire.contains("sk-primary-secret-1"), wire);
    assertFalse(wire.contains("127.0.0.1"), wire);
    assertFalse(sent.hasPath(BreakerConfigCheck.OWN_CONFIGURATION), "the side marker stays home");
    assertEquals(List.of(BreakerFingerprint.PATH), CollectionConverters.asJava(check.requiredKeys()));
  }

  @Test
  void theCanonicalSettingsReadBackAsTheSameSettings() {
    var settings = RouterSettings.from(DetourConfig.load(ConfigFactory.parseString(NODE
        + "detour.providers.primary.breaker { ramp-stages = [0.2, 0.6], slow-call-duration = 1500us }")));
    BreakerSettings primary = settings.providers().get("primary").breaker();
    assertEquals(primary, BreakerSettings.from(ConfigFactory.parseMap(primary.canonical()), "test"));
  }

  /** A node's whole configuration, as Main gives it to its ActorSystem. */
  private static Config node(String text) {
    Config config = DetourConfig.load(ConfigFactory.parseString(text));
    return BreakerFingerprint.of(RouterSettings.from(config)).withFallback(config);
  }

  record Join(ConfigValidation byTheCluster, ConfigValidation byTheJoiningNode) {}

  /** Akka's two checks of one join (ClusterCoreDaemon.initJoin, then SeedNodeProcess). */
  private Join join(Config joining, Config cluster) {
    Config sent = sent(joining);
    // The cluster's side compares with its own configuration without the sensitive paths.
    ConfigValidation byTheCluster = check.check(sent, cluster.withoutPath(BreakerConfigCheck.OWN_CONFIGURATION));
    if (byTheCluster instanceof Invalid) return new Join(byTheCluster, null);
    // It answers with its own values at each path the joining node sent.
    Map<String, ConfigValue> back = new HashMap<>();
    for (var leaf : sent.entrySet()) {
      if (cluster.hasPath(leaf.getKey())) back.put(leaf.getKey(), cluster.getValue(leaf.getKey()));
    }
    return new Join(byTheCluster, check.check(wire(ConfigFactory.parseMap(back)), joining));
  }

  /** What a joining node sends: its required keys, across the wire. */
  private Config sent(Config joining) {
    Config required = ConfigFactory.empty();
    for (String key : CollectionConverters.asJava(check.requiredKeys())) {
      if (joining.hasPath(key)) required = required.withFallback(joining.withOnlyPath(key));
    }
    return wire(required);
  }

  private static Config wire(Config config) {
    return ConfigFactory.parseString(config.root().render(ConfigRenderOptions.concise()));
  }

  private static List<String> messages(ConfigValidation validation) {
    assertTrue(validation instanceof Invalid, "refused: " + validation);
    return CollectionConverters.asJava(((Invalid) validation).errorMessages());
  }
}
