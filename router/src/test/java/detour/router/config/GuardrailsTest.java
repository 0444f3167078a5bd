package detour.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import detour.providers.breaker.BreakerSettings;
import detour.providers.client.Protocol;
import detour.providers.client.ProviderSettings;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Each rule of a route's guardrails, alone: who it refuses, who it lets through, and the reason. */
class GuardrailsTest {
  static final RequestEstimate SMALL = RequestEstimate.of(1_000, OptionalLong.empty());
  static final ObservedLatency UNSEEN = ObservedLatency.NONE;

  static final Candidate MINI = candidate("gpt-4o-mini", 128_000, "gpt", 1, new Price(0.15, 0.60));
  static final Candidate HAIKU = candidate("claude-haiku-4.5", 200_000, "claude", 2, new Price(1.00, 5.00));
  static final Candidate LLAMA_8K = candidate("llama-small", 8_192, "llama", 1, new Price(0.05, 0.08));
  static final Candidate BARE = new Candidate(new CatalogueModel("bare", "p", "bare", 32_000), provider(), Optional.empty());

  @Test
  void noGuardrailsRefuseNothing() {
    for (Candidate c : new Candidate[] {MINI, HAIKU, LLAMA_8K, BARE}) {
      assertEquals(Optional.empty(), Guardrails.NONE.refuse(c, RequestEstimate.of(10_000_000, OptionalLong.of(100_000)),
          () -> new LatencySnapshot(100, 600_000)));
    }
  }

  @Test
  void familiesLetThroughOnlyTheirFamiliesAndNameTheOthers() {
    var rails = rails().families(Set.of("gpt", "claude")).build();
    assertEquals(Optional.empty(), rails.refuse(MINI, SMALL, UNSEEN));
    assertEquals(Optional.empty(), rails.refuse(HAIKU, SMALL, UNSEEN));
    assertEquals(Optional.of("its family 'llama' is not one of the route's families: claude, gpt"),
        rails.refuse(LLAMA_8K, SMALL, UNSEEN));
    assertEquals(Optional.of("it has no family in the catalogue, and the route allows only the families claude, gpt"),
        rails.refuse(BARE, SMALL, UNSEEN));
  }

  @Test
  void minTierRefusesLowerTiersAndModelsWithoutOne() {
    var rails = rails().minTier(2).build();
    assertEquals(Optional.empty(), rails.refuse(HAIKU, SMALL, UNSEEN));
    assertEquals(Optional.of("its tier 1 is below the route's min-tier of 2"), rails.refuse(MINI, SMALL, UNSEEN));
    assertEquals(Optional.of("it has no tier in the catalogue, and the route's min-tier is 2"), rails.refuse(BARE, SMALL, UNSEEN));
  }

  @Test
  void maxPricePerMtokJudgesTheBlendedPriceAtThreeToOne() {
    // Blended: mini 0.2625, haiku 2.00 (3 x 1.00 + 5.00) / 4.
    var rails = rails().maxPricePerMtok(1.0).build();
    assertEquals(Optional.empty(), rails.refuse(MINI, SMALL, UNSEEN));
    assertEquals(Optional.of("its blended price of $2.00 per million tokens (3:1 input:output) exceeds the route's "
        + "max-price-per-mtok of $1.00"), rails.refuse(HAIKU, SMALL, UNSEEN));
    // An output price above the ceiling alone does not refuse a model whose blend is under it.
    assertEquals(Optional.empty(), rails().maxPricePerMtok(2.0).build().refuse(HAIKU, SMALL, UNSEEN));
  }

  @Test
  void aModelWithoutAPriceFailsEveryCostRule() {
    assertEquals(Optional.of("it has no price in the catalogue, and the route has a cost guardrail (max-price-per-mtok)"),
        rails().maxPricePerMtok(100).build().refuse(BARE, SMALL, UNSEEN));
    assertEquals(Optional.of("it has no price in the catalogue, and the route has a cost guardrail (max-request-cost)"),
        rails().maxRequestCost(100).build().refuse(BARE, SMALL, UNSEEN));
  }

  @Test
  void maxRequestCostPricesThePromptEstimateAndTheReservedAnswer() {
    var rails = rails().maxRequestCost(0.05).build();
    // 40,000 prompt tokens and 4,096 reserved: mini $0.0084576, haiku $0.06048.
    var large = RequestEstimate.of(40_000, OptionalLong.of(4_096));
    assertEquals(Optional.empty(), rails.refuse(MINI, large, UNSEEN));
    assertEquals(Optional.of("its estimated cost of $0.06048 for this request (~40000 prompt tokens, 4096 reserved for "
        + "the answer) exceeds the route's max-request-cost of $0.05"), rails.refuse(HAIKU, large, UNSEEN));
    // Without a cap from the caller, the route's output-reserve is what the answer is priced at.
    var uncapped = RequestEstimate.of(40_000, OptionalLong.empty());
    assertEquals(Optional.empty(), rails.refuse(HAIKU, uncapped, UNSEEN), "40,000 x $1 + 1,024 x $5 per million: $0.04512");
  }

  @Test
  void theWindowCheckSkipsOnlyWhenEightyPercentOfTheEstimatePlusTheReserveCannotFit() {
    var rails = rails().checkContextWindow(true).build();
    // 8,192 window, 1,024 reserved: 0.8 x estimate must exceed 7,168, i.e. an estimate above 8,960.
    assertEquals(Optional.empty(), rails.refuse(LLAMA_8K, RequestEstimate.of(8_960, OptionalLong.empty()), UNSEEN));
    assertEquals(Optional.of("prompt of ~8962 tokens + 1024 reserved exceeds the 8192-token window"),
        rails.refuse(LLAMA_8K, RequestEstimate.of(8_962, OptionalLong.empty()), UNSEEN));
    // The caller's own cap is reserved exactly, instead of output-reserve.
    assertEquals(Optional.of("prompt of ~1000 tokens + 8000 reserved exceeds the 8192-token window"),
        rails.refuse(LLAMA_8K, RequestEstimate.of(1_000, OptionalLong.of(8_000)), UNSEEN));
    assertEquals(Optional.empty(), rails.refuse(MINI, RequestEstimate.of(100_000, OptionalLong.of(16_000)), UNSEEN));
  }

  @Test
  void theWindowCheckIsOffByDefault() {
    assertEquals(Optional.empty(), rails().build().refuse(LLAMA_8K, RequestEstimate.of(1_000_000, OptionalLong.empty()), UNSEEN));
  }

  @Test
  void aSlowModelIsRefusedOnlyOnceItHasEnoughSamples() {
    var rails = rails().maxP95Latency(Duration.ofSeconds(5)).build();
    assertEquals(Optional.empty(), rails.refuse(MINI, SMALL, () -> new LatencySnapshot(19, 30_000)),
        "19 samples are not enough to judge");
    assertEquals(Optional.of("its observed p95 latency of 7.25s over its last 20 answers exceeds the route's "
        + "max-p95-latency of 5s"), rails.refuse(MINI, SMALL, () -> new LatencySnapshot(20, 7_250)));
    assertEquals(Optional.empty(), rails.refuse(MINI, SMALL, () -> new LatencySnapshot(128, 5_000)), "at the budget is within it");
  }

  @Test
  void latencyIsReadOnlyByARouteWithALatencyBudget() {
    AtomicInteger reads = new AtomicInteger();
    ObservedLatency counted = () -> {
      reads.incrementAndGet();
      return LatencySnapshot.EMPTY;
    };
    rails().families(Set.of("gpt")).maxRequestCost(1).checkContextWindow(true).build().refuse(MINI, SMALL, counted);
    assertEquals(0, reads.get());
    rails().maxP95Latency(Duration.ofSeconds(1)).build().refuse(MINI, SMALL, counted);
    assertEquals(1, reads.get());
  }

  @Test
  void theCataloguesRulesAloneAreWhatRefuseModelDecides() {
    var rails = rails().families(Set.of("gpt")).maxRequestCost(0.000001).maxP95Latency(Duration.ofMillis(1)).build();
    assertEquals(Optional.empty(), rails.refuseModel(MINI.model()), "the request's and latency's rules are not the catalogue's");
    assertTrue(rails.refuseModel(HAIKU.model()).orElseThrow().contains("family 'claude'"));
  }

  @Test
  void readsEveryKeyAndOffAsNoRule() {
    var defaults = Guardrails.from(ConfigFactory.defaultReference().getConfig("detour.route-defaults.guardrails"), "g");
    assertEquals(Guardrails.NONE, defaults);
    var set = Guardrails.from(ConfigFactory.parseString("""
        check-context-window = on, output-reserve = 2048, families = [gpt, claude], min-tier = 2,
        max-price-per-mtok = 1.5, max-request-cost = 0.05, max-p95-latency = 5s"""), "g");
    assertEquals(new Guardrails(true, 2048, Set.of("gpt", "claude"), 2, OptionalDouble.of(1.5), OptionalDouble.of(0.05),
        Optional.of(Duration.ofSeconds(5))), set);
  }

  /** A builder over {@link Guardrails#NONE}, for tests that set one rule at a time. */
  static Builder rails() {
    return new Builder();
  }

  static final class Builder {
    private Guardrails g = Guardrails.NONE;

    Builder checkContextWindow(boolean on) {
      g = new Guardrails(on, g.outputReserve(), g.families(), g.minTier(), g.maxPricePerMtok(), g.maxRequestCost(), g.maxP95Latency());
      return this;
    }

    Builder families(Set<String> families) {
      g = new Guardrails(g.checkContextWindow(), g.outputReserve(), families, g.minTier(), g.maxPricePerMtok(), g.maxRequestCost(), g.maxP95Latency());
      return this;
    }

    Builder minTier(int tier) {
      g = new Guardrails(g.checkContextWindow(), g.outputReserve(), g.families(), tier, g.maxPricePerMtok(), g.maxRequestCost(), g.maxP95Latency());
      return this;
    }

    Builder maxPricePerMtok(double usd) {
      g = new Guardrails(g.checkContextWindow(), g.outputReserve(), g.families(), g.minTier(), OptionalDouble.of(usd), g.maxRequestCost(), g.maxP95Latency());
      return this;
    }

    Builder maxRequestCost(double usd) {
      g = new Guardrails(g.checkContextWindow(), g.outputReserve(), g.families(), g.minTier(), g.maxPricePerMtok(), OptionalDouble.of(usd), g.maxP95Latency());
      return this;
    }

    Builder maxP95Latency(Duration budget) {
      g = new Guardrails(g.checkContextWindow(), g.outputReserve(), g.families(), g.minTier(), g.maxPricePerMtok(), g.maxRequestCost(), Optional.of(budget));
      return this;
    }

    Guardrails build() {
      return g;
    }
  }

  static Candidate candidate(String id, int window, String family, int tier, Price price) {
    var model = new CatalogueModel(id, "p", id, window).described(Optional.of(family), OptionalInt.of(tier), Optional.of(price));
    return new Candidate(model, provider(), Optional.empty());
  }

  static ProviderSettings provider() {
    return new ProviderSettings("p", Protocol.OPENAI_COMPATIBLE, URI.create("http://127.0.0.1:1/v1"),
        Optional.empty(), false, Map.of(), Map.of(), Duration.ofSeconds(1), Duration.ofSeconds(5),
        Duration.ofSeconds(5), Duration.ofSeconds(5), 4, 16, BreakerSettings.defaults().with(ConfigFactory.empty()));
  }
}
