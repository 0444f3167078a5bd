package detour.router.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * A route's rules for the candidates it may try, read from its {@code guardrails} block. Every rule
 * applies to every candidate, the primary included; each is off by default. A candidate a rule
 * refuses is skipped with the reason in the trace, as a candidate whose circuit is open is.
 *
 * <p>The rules on the catalogue alone ({@code families}, {@code min-tier}, {@code
 * max-price-per-mtok}) are decided once at start-up (see {@link #refuseModel}); those on the
 * request ({@code check-context-window}, {@code max-request-cost}) and on observed latency
 * ({@code max-p95-latency}) for each request, before asking. A model the catalogue does not
 * describe (no family, tier or price) fails the rule that needs it.
 *
 * @param checkContextWindow skip a model whose context window cannot hold the prompt's estimate
 *     plus the tokens reserved for the answer
 * @param outputReserve the tokens reserved for the answer when the request caps it with neither
 *     {@code max_completion_tokens} nor {@code max_tokens}
 * @param families the model families allowed; empty allows any
 * @param minTier the lowest quality tier allowed; 0 allows any, and models without a tier
 * @param maxPricePerMtok the highest blended price (3:1 input:output) allowed, in US dollars per
 *     million tokens
 * @param maxRequestCost the highest estimated cost of one request allowed, in US dollars
 * @param maxP95Latency the highest observed p95 latency allowed, once a model has enough samples
 */
public record Guardrails(
    boolean checkContextWindow,
    long outputReserve,
    Set<String> families,
    int minTier,
    OptionalDouble maxPricePerMtok,
    OptionalDouble maxRequestCost,
    Optional<Duration> maxP95Latency) {

  /**
   * The prompt estimate counts as only this share of itself when judging a window: the estimate
   * exceeds OpenAI's tokenizers by at most 15 % on every sample measured, so a prompt is skipped
   * only when even 80 % of its estimate (room for a 25 % overestimate) does not fit.
   */
  public static final double WINDOW_SAFETY_FACTOR = 0.8;

  /** The recent successful attempts a model needs before its latency is judged. */
  public static final int MIN_LATENCY_SAMPLES = 20;

  /** No rule at all: what a request naming a catalogue model directly gets. */
  public static final Guardrails NONE = new Guardrails(
      false, 1024, Set.of(), 0, OptionalDouble.empty(), OptionalDouble.empty(), Optional.empty());

  public Guardrails {
    families = Set.copyOf(families);
  }

  /**
   * Why the candidate must not be tried for this request, or empty when it may. Cheap rules
   * first: the catalogue's, then the request's, then the observed latency (read only when the
   * route has a latency budget).
   */
  public Optional<String> refuse(Candidate candidate, RequestEstimate estimate, ObservedLatency latency) {
    return refuseForRequest(candidate, estimate).or(() -> refuseForLatency(latency));
  }

  /**
   * Why the candidate can never serve this request as it is, by the catalogue's rules and the
   * request's own size and cost, or empty when it may: the same request sent again is refused again.
   */
  public Optional<String> refuseForRequest(Candidate candidate, RequestEstimate estimate) {
    Optional<String> byModel = refuseModel(candidate.model());
    if (byModel.isPresent()) return byModel;
    CatalogueModel model = candidate.model();
    if (checkContextWindow) {
      long prompt = estimate.promptTokens();
      long reserved = estimate.maxOutputTokens().orElse(outputReserve);
      if ((long) Math.floor(prompt * WINDOW_SAFETY_FACTOR) + reserved > model.contextWindow()) {
        return Optional.of("prompt of ~" + prompt + " tokens + " + reserved + " reserved exceeds the "
            + model.contextWindow() + "-token window");
      }
    }
    if (maxRequestCost.isPresent() && model.price().isPresent()) {
      long prompt = estimate.promptTokens();
      long reserved = estimate.maxOutputTokens().orElse(outputReserve);
      double cost = model.price().get().cost(prompt, reserved);
      if (cost > maxRequestCost.getAsDouble()) {
        return Optional.of("its estimated cost of " + Price.usd(cost) + " for this request (~" + prompt
            + " prompt tokens, " + reserved + " reserved for the answer) exceeds the route's max-request-cost of "
            + Price.usd(maxRequestCost.getAsDouble()));
      }
    }
    return Optional.empty();
  }

  /**
   * Why the candidate must not be tried now, by its observed latency, or empty when it may: a
   * refusal that may lift as the latency it reads moves on.
   */
  public Optional<String> refuseForLatency(ObservedLatency latency) {
    if (maxP95Latency.isPresent()) {
      LatencySnapshot observed = latency.snapshot();
      if (observed.samples() >= MIN_LATENCY_SAMPLES && observed.p95Millis() > maxP95Latency.get().toMillis()) {
        return Optional.of("its observed p95 latency of " + seconds(observed.p95Millis()) + " over its last "
            + observed.samples() + " answers exceeds the route's max-p95-latency of "
            + seconds(maxP95Latency.get().toMillis()));
      }
    }
    return Optional.empty();
  }

  /**
   * Why the model must never be tried on this route, by what the catalogue says of it (family,
   * tier, price), or empty. Decided once at start-up for each route's chain.
   */
  public Optional<String> refuseModel(CatalogueModel model) {
    if (!families.isEmpty()) {
      if (model.family().isEmpty()) {
        return Optional.of("it has no family in the catalogue, and the route allows only the families " + String.join(", ", sorted(families)));
      }
      if (!families.contains(model.family().get())) {
        return Optional.of("its family '" + model.family().get() + "' is not one of the route's families: "
            + String.join(", ", sorted(families)));
      }
    }
    if (minTier > 0) {
      if (model.tier().isEmpty()) {
        return Optional.of("it has no tier in the catalogue, and the route's min-tier is " + minTier);
      }
      if (model.tier().getAsInt() < minTier) {
        return Optional.of("its tier " + model.tier().getAsInt() + " is below the route's min-tier of " + minTier);
      }
    }
    if ((maxPricePerMtok.isPresent() || maxRequestCost.isPresent()) && model.price().isEmpty()) {
      return Optional.of("it has no price in the catalogue, and the route has a cost guardrail ("
          + (maxPricePerMtok.isPresent() ? "max-price-per-mtok" : "max-request-cost") + ")");
    }
    if (maxPricePerMtok.isPresent() && model.price().get().blendedPerMtok() > maxPricePerMtok.getAsDouble()) {
      return Optional.of("its blended price of " + Price.usd(model.price().get().blendedPerMtok())
          + " per million tokens (3:1 input:output) exceeds the route's max-price-per-mtok of "
          + Price.usd(maxPricePerMtok.getAsDouble()));
    }
    return Optional.empty();
  }

  /**
   * Reads a {@code guardrails} block; {@code path} is where it lies ({@code
   * detour.routes.x.guardrails}), for messages naming the bad key.
   */
  static Guardrails from(Config c, String path) {
    try {
      return read(c, path);
    } catch (ConfigException.WrongType | ConfigException.Missing wrong) {
      throw new ConfigException.BadValue(wrong.origin(), path, wrong.getMessage());
    }
  }

  private static Guardrails read(Config c, String path) {
    boolean checkWindow = c.getBoolean("check-context-window");
    long reserve = c.getLong("output-reserve");
    if (reserve < 0) throw bad(c, path, "output-reserve", "must be a number of tokens, 0 or more, got " + reserve);
    Set<String> families = new LinkedHashSet<>();
    for (String family : c.getStringList("families")) {
      if (family.isBlank()) throw bad(c, path, "families", "must not name a blank family");
      families.add(family.trim());
    }
    int minTier = c.getInt("min-tier");
    if (minTier < 0) throw bad(c, path, "min-tier", "must be 0 (any tier) or more, got " + minTier);
    OptionalDouble maxPrice = dollarsOrOff(c, path, "max-price-per-mtok");
    OptionalDouble maxCost = dollarsOrOff(c, path, "max-request-cost");
    Optional<Duration> maxP95 = Optional.empty();
    if (!isOff(c.getValue("max-p95-latency"))) {
      Duration budget;
      try {
        budget = c.getDuration("max-p95-latency");
      } catch (ConfigException.BadValue | ConfigException.WrongType notDuration) {
        throw bad(c, path, "max-p95-latency", "must be a duration such as 5s, or off");
      }
      if (budget.isNegative() || budget.isZero()) throw bad(c, path, "max-p95-latency", "must be positive, or off");
      maxP95 = Optional.of(budget);
    }
    return new Guardrails(checkWindow, reserve, families, minTier, maxPrice, maxCost, maxP95);
  }

  private static OptionalDouble dollarsOrOff(Config c, String path, String key) {
    if (isOff(c.getValue(key))) return OptionalDouble.empty();
    double dollars;
    try {
      dollars = c.getDouble(key);
    } catch (ConfigException.WrongType notNumber) {
      throw bad(c, path, key, "must be an amount in US dollars, or off");
    }
    if (!(dollars >= 0) || Double.isInfinite(dollars)) throw bad(c, path, key, "must be 0 or more US dollars, or off");
    return OptionalDouble.of(dollars);
  }

  private static boolean isOff(ConfigValue value) {
    return value.valueType() == ConfigValueType.STRING && "off".equals(value.unwrapped())
        || value.valueType() == ConfigValueType.BOOLEAN && Boolean.FALSE.equals(value.unwrapped());
  }

  private static ConfigException bad(Config c, String path, String key, String problem) {
    return new ConfigException.BadValue(c.getValue(key).origin(), path + "." + key, problem);
  }

  private static List<String> sorted(Set<String> names) {
    return names.stream().sorted().toList();
  }

  /** 5s, 7.25s, 800ms: latencies as the trace shows them. */
  private static String seconds(long millis) {
    if (millis < 1000) return millis + "ms";
    if (millis % 1000 == 0) return millis / 1000 + "s";
    return String.format(Locale.ROOT, "%.2f", millis / 1000.0).replaceAll("\\.?0+$", "") + "s";
  }
}
