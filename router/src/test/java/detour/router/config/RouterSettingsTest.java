package detour.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import detour.persistence.DetourConfig;
import java.io.File;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouterSettingsTest {

  private static Config load(String text) {
    return DetourConfig.load(ConfigFactory.parseString(text));
  }

  private static final String VALID = """
      detour.providers.a { base-url = "http://127.0.0.1:1/v1", api-key-required = off }
      detour.providers.b { base-url = "http://127.0.0.1:2/v1", api-key = "k" }
      detour.models.m-a { provider = a, context-window = 8192 }
      detour.models.m-b { provider = b, upstream-model = "real-b", context-window = 4096 }
      detour.routes.default { chain = [m-a, m-b] }
      """;

  @Test
  void theShippedApplicationConfIsValid() {
    var config = DetourConfig.load(ConfigFactory.parseFile(new File("../application.conf")));
    var settings = RouterSettings.from(config);
    assertTrue(settings.routes().containsKey("default"));
    assertTrue(settings.routes().get("default").chain().size() >= 2, "the default route has a fallback");
  }

  @Test
  void theSimulatedConfUsedByTheDemoIsValid() {
    var config = DetourConfig.load(ConfigFactory.parseFile(new File("../scripts/conf/simulated.conf")));
    assertEquals(List.of("sim-large", "sim-small"), RouterSettings.from(config).routes().get("default").chain());
  }

  @Test
  void readsRoutesModelsAndProvidersWithTheirDefaults() {
    var settings = RouterSettings.from(load(VALID));
    assertEquals(List.of("m-a", "m-b"), settings.routes().get("default").chain());
    assertEquals(Duration.ofSeconds(120), settings.routes().get("default").deadline());
    assertEquals("real-b", settings.models().get("m-b").upstreamModel());
    assertEquals("m-a", settings.models().get("m-a").upstreamModel());
    assertEquals(64, settings.providers().get("a").maxConnections());
    assertEquals(5, settings.providers().get("a").breaker().consecutiveFaults());
  }

  @Test
  void anApiKeyNeverAppearsInTheSettingsText() {
    var settings = RouterSettings.from(load(VALID.replace("api-key = \"k\"", "api-key = \"sk-secret-value-123\"")));
    assertTrue(!settings.toString().contains("sk-secret-value-123"), settings.toString());
  }

  @Test
  void aRouteNamingAnUnknownModelStopsTheStartNamingTheKey() {
    var bad = assertThrows(ConfigException.BadValue.class,
        () -> RouterSettings.from(load(VALID + "detour.routes.broken { chain = [m-a, nope] }")));
    assertTrue(bad.getMessage().contains("detour.routes.broken.chain"), bad.getMessage());
    assertTrue(bad.getMessage().contains("nope"), bad.getMessage());
  }

  @Test
  void aMisspelledKeyStopsTheStartNamingIt() {
    var typo = assertThrows(ConfigException.BadValue.class,
        () -> RouterSettings.from(load(VALID + "detour.providers.a.breaker.cooldwon = 60s")));
    assertTrue(typo.getMessage().contains("detour.providers.a.breaker.cooldwon"), typo.getMessage());
    assertThrows(ConfigException.BadValue.class,
        () -> RouterSettings.from(load(VALID + "detour.providers.a.atempt-timeout = 5s")));
    assertThrows(ConfigException.BadValue.class,
        () -> RouterSettings.from(load(VALID + "detour.routes.default.dedline = 5s")));
    assertThrows(ConfigException.BadValue.class,
        () -> RouterSettings.from(load(VALID + "detour.models.m-a.context-windw = 5")));
    assertThrows(ConfigException.BadValue.class,
        () -> RouterSettings.from(load(VALID + "detour.breaker.consecutive-fault = 3")));
  }

  @Test
  void headersAndNestedBreakerKeysAreAccepted() {
    var settings = RouterSettings.from(load(VALID
        + "detour.providers.a.headers { api-key = \"x\" }\n"
        + "detour.providers.a.breaker { cooldown = 60s, active-probe.enabled = on }"));
    assertEquals(Duration.ofSeconds(60), settings.providers().get("a").breaker().cooldown());
  }

  @Test
  void theRemovedLoadSheddingBlockStopsTheStartSayingWhyItWentAndWhatToSizeInstead() {
    var removed = assertThrows(ConfigException.BadValue.class,
        () -> RouterSettings.from(load(VALID + "detour.http.load-shedding { enabled = on, interval = 100ms }")));
    assertTrue(removed.getMessage().contains("detour.http.load-shedding"), removed.getMessage());
    assertTrue(removed.getMessage().contains("was removed"), removed.getMessage());
    assertTrue(removed.getMessage().contains("detour.http.max-in-flight"), removed.getMessage());
    var oneKey = assertThrows(ConfigException.BadValue.class,
        () -> RouterSettings.from(load(VALID + "detour.http.load-shedding.enabled = off")));
    assertTrue(oneKey.getMessage().contains("was removed"), oneKey.getMessage());
  }

  @Test
  void aModelNamingAnUnknownProviderStopsTheStart() {
    var bad = assertThrows(ConfigException.BadValue.class,
        () -> RouterSettings.from(load(VALID + "detour.models.orphan { provider = ghost, context-window = 1 }")));
    assertTrue(bad.getMessage().contains("ghost"), bad.getMessage());
  }

  @Test
  void aDeadlineBeyondTheServersRequestTimeoutIsRefused() {
    var bad = assertThrows(ConfigException.BadValue.class,
        () -> RouterSettings.from(load(VALID + "detour.routes.default.deadline = 10m")));
    assertTrue(bad.getMessage().contains("request-timeout"), bad.getMessage());
  }

  @Test
  void aPoolSizeThatIsNotAPowerOfTwoIsRefused() {
    var bad = assertThrows(ConfigException.BadValue.class,
        () -> RouterSettings.from(load(VALID + "detour.providers.a.max-open-requests = 100")));
    assertTrue(bad.getMessage().contains("power of two"), bad.getMessage());
  }

  @Test
  void aProviderWithoutItsRequiredKeyIsSkippedWithTheReason() {
    var planner = new RoutePlanner(RouterSettings.from(load(VALID.replace("api-key = \"k\"", ""))));
    var candidates = planner.plan("default").orElseThrow().candidates();
    assertTrue(candidates.get(0).unusable().isEmpty());
    assertEquals(Unusable.provider("provider 'b' has no api-key configured"), candidates.get(1).unusable().orElseThrow());
  }

  @Test
  void aCatalogueModelCanBeNamedDirectlyAsAChainOfOne() {
    var plan = new RoutePlanner(RouterSettings.from(load(VALID))).plan("m-b").orElseThrow();
    assertEquals(1, plan.candidates().size());
    assertEquals("m-b", plan.route());
  }

  @Test
  void theJournalKeepsThirtyDaysAndRecordsRoutingEveryTenSecondsByDefault() {
    var settings = RouterSettings.from(load(VALID));
    assertEquals(java.util.Optional.of(Duration.ofDays(30)), settings.journal().retention());
    assertEquals(Duration.ofHours(1), settings.journal().retentionCheckInterval());
    var record = settings.journal().routingRecord();
    assertTrue(record.enabled());
    assertEquals(Duration.ofSeconds(10), record.interval());
    assertEquals(5, record.sampleSize());
    assertEquals(256, record.maxKeys());
    assertTrue(settings.nodeName().matches("[A-Za-z0-9._-]{1,64}"), settings.nodeName());
  }

  @Test
  void retentionOffKeepsEverythingAndTheNodeNameIsTakenAsGiven() {
    var settings = RouterSettings.from(load(VALID + "detour.journal.retention = off\ndetour.node-name = eu-1.b"));
    assertEquals(java.util.Optional.empty(), settings.journal().retention());
    assertEquals("eu-1.b", settings.nodeName());
  }

  @Test
  void aNodeIsAClusterOfOneByDefaultReportingSuccessesEveryTenthOfASecond() {
    var config = load(VALID);
    var cluster = RouterSettings.from(config).cluster();
    assertEquals(ClusterSettings.Formation.SELF, cluster.formation());
    assertEquals(Duration.ofMillis(100), cluster.successReportInterval());
    assertEquals(Duration.ofSeconds(1), cluster.keepAliveInterval());
    assertEquals(Duration.ofSeconds(3), cluster.ownerSilence());
    assertEquals(Duration.ofMillis(500), cluster.probePermitTimeout());
    assertEquals("cluster", config.getString("akka.actor.provider"));
    assertEquals("akka.cluster.sbr.SplitBrainResolverProvider", config.getString("akka.cluster.downing-provider-class"));
    assertEquals("keep-majority", config.getString("akka.cluster.split-brain-resolver.active-strategy"));
  }

  @Test
  void badClusterSettingsStopTheStartNamingTheKey() {
    for (String bad : List.of("detour.cluster.formation = seeds", "detour.cluster.success-report-interval = 0s",
        "detour.cluster.keep-alive-interval = 10ms", "detour.cluster.formaton = self",
        "detour.cluster.owner-silence = 1s", "detour.cluster.probe-permit-timeout = 1ms")) {
      var refused = assertThrows(ConfigException.class, () -> RouterSettings.from(load(VALID + bad)), bad);
      String key = bad.substring(0, bad.indexOf(' '));
      assertTrue(refused.getMessage().contains(key), refused.getMessage());
    }
  }

  @Test
  void aClusterFormationWithALocalActorProviderIsRefused() {
    var refused = assertThrows(ConfigException.class,
        () -> RouterSettings.from(load(VALID + "akka.actor.provider = local")));
    assertTrue(refused.getMessage().contains("detour.cluster.formation"), refused.getMessage());
    assertEquals(ClusterSettings.Formation.OFF, RouterSettings.from(
        load(VALID + "akka.actor.provider = local\ndetour.cluster.formation = off")).cluster().formation());
  }

  @Test
  void badJournalSettingsStopTheStartNamingTheKey() {
    for (String bad : List.of("detour.journal.retention = 10s", "detour.journal.routing-record.interval = 100ms",
        "detour.journal.routing-record.sample-size = -1", "detour.journal.routing-record.max-keys = 0",
        "detour.journal.retenton = 30d", "detour.node-name = \"routing|record\"")) {
      var refused = assertThrows(ConfigException.class, () -> RouterSettings.from(load(VALID + bad)), bad);
      String key = bad.substring(0, bad.indexOf(' '));
      assertTrue(refused.getMessage().contains(key), refused.getMessage());
    }
  }

  @Test
  void aTypoUnderHttpStopsTheStartListingEveryKeyThere() {
    var typo = assertThrows(ConfigException.BadValue.class,
        () -> RouterSettings.from(load(VALID + "detour.http.max-in-flght = 10")));
    assertTrue(typo.getMessage().contains("detour.http.max-in-flght"), typo.getMessage());
    for (String known : List.of("host", "port", "max-in-flight", "header-read-timeout")) {
      assertTrue(typo.getMessage().contains(known), known + " missing from: " + typo.getMessage());
    }
  }

  @Test
  void aTypoAtTheTopOfDetourStopsTheStartNamingIt() {
    var typo = assertThrows(ConfigException.BadValue.class,
        () -> RouterSettings.from(load(VALID + "detour.rouets.fast { chain = [m-a] }")));
    assertTrue(typo.getMessage().contains("detour.rouets"), typo.getMessage());
    assertTrue(typo.getMessage().contains("routes"), typo.getMessage());
    var admin = assertThrows(ConfigException.BadValue.class,
        () -> RouterSettings.from(load(VALID + "detour.admin.tokne = \"0123456789abcdef0123\"")));
    assertTrue(admin.getMessage().contains("detour.admin.tokne"), admin.getMessage());
    assertTrue(admin.getMessage().contains("token"), admin.getMessage());
  }

  @Test
  void theKnownKeysOfAProviderIncludeItsHeadersQueryAndBreaker() {
    var typo = assertThrows(ConfigException.BadValue.class,
        () -> RouterSettings.from(load(VALID + "detour.providers.a.heders { x-api-key = \"k\" }")));
    assertTrue(typo.getMessage().contains("detour.providers.a.heders"), typo.getMessage());
    for (String known : List.of("headers", "query", "breaker", "base-url", "api-key", "attempt-timeout")) {
      assertTrue(typo.getMessage().contains(known), known + " missing from: " + typo.getMessage());
    }
  }

  @Test
  void anUnquotedDottedModelIdIsRefusedWithAHintToQuoteIt() {
    var unquoted = assertThrows(ConfigException.BadValue.class, () -> RouterSettings.from(load(VALID
        + "detour.models { gemini-2.5-flash { provider = a, context-window = 8192 } }")));
    assertTrue(unquoted.getMessage().contains("\"gemini-2.5-flash\""), unquoted.getMessage());
    assertTrue(unquoted.getMessage().contains("quote"), unquoted.getMessage());
    var route = assertThrows(ConfigException.BadValue.class, () -> RouterSettings.from(load(VALID
        + "detour.routes { fast.v2 { chain = [m-a] } }")));
    assertTrue(route.getMessage().contains("\"fast.v2\""), route.getMessage());
    // Quoted, the same id is one model.
    var quoted = RouterSettings.from(load(VALID
        + "detour.models { \"gemini-2.5-flash\" { provider = a, context-window = 8192 } }"));
    assertTrue(quoted.models().containsKey("gemini-2.5-flash"));
  }

  @Test
  void theHeaderReadTimeoutIsTenSecondsByDefaultAndMustBePositive() {
    assertEquals(Duration.ofSeconds(10), RouterSettings.from(load(VALID)).headerReadTimeout());
    assertEquals(Duration.ofSeconds(2),
        RouterSettings.from(load(VALID + "detour.http.header-read-timeout = 2s")).headerReadTimeout());
    var zero = assertThrows(ConfigException.BadValue.class,
        () -> RouterSettings.from(load(VALID + "detour.http.header-read-timeout = 0s")));
    assertTrue(zero.getMessage().contains("detour.http.header-read-timeout"), zero.getMessage());
  }
}
