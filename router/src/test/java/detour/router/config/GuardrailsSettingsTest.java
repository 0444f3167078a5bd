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
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The catalogue's family, tier and price, and routes' guardrails, as read and checked at start-up. */
class GuardrailsSettingsTest {

  private static Config load(String text) {
    return DetourConfig.load(ConfigFactory.parseString(text));
  }

  private static final String VALID = """
      detour.providers.a { base-url = "http://127.0.0.1:1/v1", api-key-required = off }
      detour.providers.b { base-url = "http://127.0.0.1:2/v1", api-key-required = off }
      detour.models.cheap { provider = a, context-window = 8192, family = gpt, tier = 1,
        price { input-per-mtok = 0.15, output-per-mtok = 0.60 } }
      detour.models.good { provider = b, context-window = 200000, family = claude, tier = 2,
        price { input-per-mtok = 1.00, output-per-mtok = 5.00 } }
      detour.models.local { provider = a, context-window = 32000 }
      detour.routes.default { chain = [cheap, good, local] }
      """;

  private static ConfigException.BadValue refused(String extra) {
    return assertThrows(ConfigException.BadValue.class, () -> RouterSettings.from(load(VALID + extra)));
  }

  private static void assertNames(ConfigException.BadValue bad, String key) {
    assertTrue(bad.getMessage().contains(key), "names " + key + ": " + bad.getMessage());
  }

  @Test
  void readsFamilyTierAndPriceOfCatalogueModels() {
    var models = RouterSettings.from(load(VALID)).models();
    assertEquals(Optional.of("gpt"), models.get("cheap").family());
    assertEquals(OptionalInt.of(2), models.get("good").tier());
    assertEquals(Optional.of(new Price(1.00, 5.00)), models.get("good").price());
    assertEquals(Optional.empty(), models.get("local").price(), "all three are optional");
  }

  @Test
  void routesHaveNoGuardrailsUnlessTheySayOtherwise() {
    var settings = RouterSettings.from(load(VALID));
    assertEquals(Guardrails.NONE, settings.routes().get("default").guardrails());
    var plan = new RoutePlanner(settings).plan("default").orElseThrow();
    assertEquals(Guardrails.NONE, plan.guardrails());
    assertTrue(plan.candidates().stream().allMatch(c -> c.unusable().isEmpty()));
  }

  @Test
  void aRoutesGuardrailsFallBackKeyByKeyToTheRouteDefaults() {
    var settings = RouterSettings.from(load(VALID + """
        detour.route-defaults.guardrails { max-p95-latency = 8s, output-reserve = 512 }
        detour.routes.default.guardrails { families = [gpt, claude], max-price-per-mtok = 3 }
        """));
    var rails = settings.routes().get("default").guardrails();
    assertEquals(new Guardrails(false, 512, Set.of("gpt", "claude"), 0, OptionalDouble.of(3), OptionalDouble.empty(),
        Optional.of(Duration.ofSeconds(8))), rails);
  }

  @Test
  void aFallbackThatBreaksTheCataloguesRulesIsUnusableWithTheReason() {
    var planner = new RoutePlanner(RouterSettings.from(load(VALID + """
        detour.routes.default.guardrails { families = [gpt, claude], max-price-per-mtok = 1.0 }
        """)));
    var candidates = planner.plan("default").orElseThrow().candidates();
    assertEquals(Optional.empty(), candidates.get(0).unusable());
    assertEquals(Optional.of(Unusable.guardrail("its blended price of $2.00 per million tokens (3:1 input:output) "
        + "exceeds the route's max-price-per-mtok of $1.00")), candidates.get(1).unusable());
    assertEquals(Optional.of(Unusable.guardrail(
        "it has no family in the catalogue, and the route allows only the families claude, gpt")),
        candidates.get(2).unusable());
    // Naming a model directly is the caller's own choice: no route's guardrails apply.
    assertEquals(Optional.empty(), planner.plan("good").orElseThrow().candidates().get(0).unusable());
  }

  @Test
  void aRouteWhosePrimaryBreaksItsOwnGuardrailsStopsTheStartNamingTheRoute() {
    var bad = refused("detour.routes.default.guardrails.min-tier = 2");
    assertNames(bad, "detour.routes.default.guardrails");
    assertTrue(bad.getMessage().contains("primary 'cheap'") && bad.getMessage().contains("below the route's min-tier of 2"),
        bad.getMessage());
  }

  @Test
  void aRouteWhosePrimaryHasNoPriceCannotHaveACostGuardrail() {
    var bad = refused("detour.routes.local-first { chain = [local, cheap], guardrails.max-request-cost = 0.05 }");
    assertNames(bad, "detour.routes.local-first.guardrails");
    assertTrue(bad.getMessage().contains("no price"), bad.getMessage());
  }

  @Test
  void aFamilyNoCatalogueModelHasIsATypo() {
    var bad = refused("detour.routes.default.guardrails.families = [gpt, cluade]");
    assertNames(bad, "detour.routes.default.guardrails.families");
    assertTrue(bad.getMessage().contains("'cluade'") && bad.getMessage().contains("claude, gpt"), bad.getMessage());
  }

  @Test
  void badGuardrailValuesNameTheirKey() {
    assertNames(refused("detour.routes.default.guardrails.max-price-per-mtok = -1"),
        "detour.routes.default.guardrails.max-price-per-mtok");
    assertNames(refused("detour.routes.default.guardrails.max-request-cost = cheap"),
        "detour.routes.default.guardrails.max-request-cost");
    assertNames(refused("detour.routes.default.guardrails.max-p95-latency = 0s"),
        "detour.routes.default.guardrails.max-p95-latency");
    assertNames(refused("detour.routes.default.guardrails.max-p95-latency = soon"),
        "detour.routes.default.guardrails.max-p95-latency");
    assertNames(refused("detour.routes.default.guardrails.min-tier = -1"), "detour.routes.default.guardrails.min-tier");
    assertNames(refused("detour.routes.default.guardrails.output-reserve = -1"),
        "detour.routes.default.guardrails.output-reserve");
    assertNames(refused("detour.route-defaults.guardrails.max-request-cost = -0.5"),
        "detour.route-defaults.guardrails.max-request-cost");
    assertNames(refused("detour.routes.default.guardrails.check-context-window = maybe"),
        "detour.routes.default.guardrails");
  }

  @Test
  void badCatalogueValuesNameTheirKey() {
    assertNames(refused("detour.models.cheap.price.input-per-mtok = -0.15"), "detour.models.cheap.price.input-per-mtok");
    assertNames(refused("detour.models.local.price { input-per-mtok = 0.1 }"), "detour.models.local.price.output-per-mtok");
    assertNames(refused("detour.models.cheap.tier = 0"), "detour.models.cheap.tier");
    assertNames(refused("detour.models.cheap.family = \" \""), "detour.models.cheap.family");
  }

  @Test
  void misspelledGuardrailAndCatalogueKeysAreRefused() {
    assertNames(refused("detour.routes.default.guardrails.max-price-per-mtk = 1"),
        "detour.routes.default.guardrails.max-price-per-mtk");
    assertNames(refused("detour.route-defaults.guardrails.familes = [gpt]"), "detour.route-defaults.guardrails.familes");
    assertNames(refused("detour.models.cheap.teir = 2"), "detour.models.cheap.teir");
    assertNames(refused("detour.models.cheap.price.input = 2"), "detour.models.cheap.price.input");
    assertNames(refused("detour.models.local.price = 2"), "detour.models.local.price");
  }

  @Test
  void theShippedApplicationConfDescribesEveryModel() {
    var config = DetourConfig.load(ConfigFactory.parseFile(new File("../application.conf")));
    for (CatalogueModel model : RouterSettings.from(config).models().values()) {
      assertTrue(model.family().isPresent() && model.tier().isPresent() && model.price().isPresent(), model.toString());
    }
  }
}
