package detour.providers.breaker;

import com.typesafe.config.ConfigFactory;
import detour.persistence.breaker.Blame;
import detour.persistence.breaker.FailureKind;
import detour.providers.breaker.ProviderBreaker.Action;
import detour.providers.testing.PropertyRunner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/** What the breaker properties feed a breaker, and how they draw it (public for the router's replay properties). */
public final class BreakerSteps {
  private BreakerSteps() {}

  public sealed interface Step {}

  public record Answer(long latencyMillis, boolean probe) implements Step {}

  /** @param retryAfterMillis the provider's Retry-After; -1 when it gave none */
  public record Fail(FailureKind kind, long retryAfterMillis, boolean probe) implements Step {}

  /** A node's batch of answers (RecordSuccesses). */
  record Batch(List<Long> latenciesMillis) implements Step {}

  record AskForProbe() implements Step {}

  /** Time passes: the clock and the timers together. */
  record Wait(long millis) implements Step {}

  /** An operator's order; {@code seconds} is the forced open's duration. */
  record Order(Action action, long seconds) implements Step {}

  /** The breaker stops and recovers its phase from the journal. */
  record Restart() implements Step {}

  /**
   * One drawn run.
   *
   * @param jitterSeed seeds the machine's jitter draws
   */
  public record Case(BreakerSettings settings, boolean providerWide, long jitterSeed, List<Step> steps)
      implements PropertyRunner.Case<Case, Step> {
    public Case withSteps(List<Step> fewer) {
      return new Case(settings, providerWide, jitterSeed, List.copyOf(fewer));
    }

    @Override
    public String toString() {
      return (providerWide ? "provider" : "model") + " breaker, " + differences(settings) + ", steps " + steps;
    }
  }

  /**
   * Settings drawn small, so that every rule and every phase is reached within tens of steps.
   * Active probing stays off: its probes are real calls, not steps of this model.
   */
  public static BreakerSettings drawSettings(SplittableRandom r) {
    int windowSize = 3 + r.nextInt(18);
    long cooldown = 500 + r.nextInt(9_500);
    Map<String, Object> c = new TreeMap<>();
    c.put("consecutive-faults", 1 + r.nextInt(6));
    c.put("window-size", windowSize);
    c.put("window-duration", (2_000 + r.nextInt(28_000)) + "ms");
    c.put("minimum-calls", 1 + r.nextInt(windowSize));
    c.put("failure-rate-threshold", pick(r, 0.3, 0.5, 0.75, 1.0));
    c.put("slow-call-duration", (200 + r.nextInt(2_800)) + "ms");
    c.put("slow-call-rate-threshold", pick(r, 0.5, 0.8, 1.0));
    c.put("rate-limit-rate-threshold", pick(r, 0.3, 0.5, 1.0));
    c.put("consecutive-rate-limits", 1 + r.nextInt(10));
    c.put("cooldown", cooldown + "ms");
    c.put("cooldown-multiplier", pick(r, 1.0, 1.5, 2.0, 3.0));
    c.put("max-cooldown", cooldown * (1 + r.nextInt(8)) + "ms");
    c.put("cooldown-jitter", pick(r, 0.0, 0.0, 0.2, 0.5));
    c.put("max-retry-after", r.nextInt(60_000) + "ms");
    c.put("half-open-probes", 1 + r.nextInt(3));
    c.put("probe-lease", (500 + r.nextInt(9_500)) + "ms");
    c.put("ramp-stages", List.of(List.of(), List.of(0.1), List.of(0.1, 0.5), List.of(0.25, 0.5, 0.75)).get(r.nextInt(4)));
    c.put("ramp-stage-duration", (500 + r.nextInt(9_500)) + "ms");
    c.put("ramp-minimum-calls", 1 + r.nextInt(5));
    c.put("active-probe.enabled", false);
    return BreakerSettings.defaults().with(ConfigFactory.parseMap(c));
  }

  /**
   * @param everything also operators' orders and restarts (the actor has them; the replay does not),
   *     and probe permits with their leases
   */
  public static List<Step> drawSteps(SplittableRandom r, BreakerSettings s, boolean providerWide, boolean everything) {
    int count = 20 + r.nextInt(61);
    List<Step> steps = new ArrayList<>(count);
    while (steps.size() < count) {
      int dice = r.nextInt(100);
      if (dice < 26) {
        steps.add(new Answer(latency(r, s), r.nextBoolean()));
      } else if (dice < 56) {
        steps.add(failure(r, providerWide));
      } else if (dice < 76) {
        steps.add(new Wait(waitMillis(r, s)));
      } else if (!everything) {
        continue;
      } else if (dice < 90) {
        steps.add(new AskForProbe());
      } else if (dice < 94) {
        List<Long> batch = new ArrayList<>();
        for (int i = 1 + r.nextInt(4); i > 0; i--) batch.add(latency(r, s));
        steps.add(new Batch(batch));
      } else if (dice < 97) {
        Action action = Action.values()[r.nextInt(Action.values().length)];
        steps.add(new Order(action, action == Action.FORCE_OPEN ? 1 + r.nextInt(120) : 0));
      } else {
        steps.add(new Restart());
      }
    }
    return steps;
  }

  static long latency(SplittableRandom r, BreakerSettings s) {
    long slow = s.slowCallDuration().toMillis();
    return r.nextInt(10) < 7 ? r.nextLong(slow) : slow + r.nextLong(slow * 2);
  }

  /**
   * A failure the coordinator would tell this breaker: one blamed on its scope, or, as a probe's
   * outcome, any class; failures blamed on nobody are drawn too, to show they count nowhere.
   * Only 429s and 503/529s carry a Retry-After (FailureClassifier reads it for no other class).
   */
  static Fail failure(SplittableRandom r, boolean providerWide) {
    Blame own = providerWide ? Blame.PROVIDER : Blame.MODEL;
    int dice = r.nextInt(4);
    Blame blame = dice < 2 ? own : dice == 2 ? Blame.NOBODY : (own == Blame.MODEL ? Blame.PROVIDER : Blame.MODEL);
    List<FailureKind> kinds = Arrays.stream(FailureKind.values()).filter(k -> k.blame() == blame).toList();
    FailureKind kind = kinds.get(r.nextInt(kinds.size()));
    boolean probe = blame != own && blame != Blame.NOBODY || r.nextBoolean();
    boolean mayWait = kind == FailureKind.RATE_LIMITED || kind == FailureKind.OVERLOADED;
    return new Fail(kind, mayWait && r.nextBoolean() ? r.nextInt(90_000) : -1, probe);
  }

  private static long waitMillis(SplittableRandom r, BreakerSettings s) {
    int dice = r.nextInt(10);
    if (dice < 4) return r.nextInt(1_000);
    if (dice < 7) return r.nextLong(s.windowDuration().toMillis() + 1);
    if (dice < 9) return r.nextLong(s.cooldown().toMillis() * 3);
    return r.nextLong(s.maxCooldown().toMillis() * 2 + 60_000);
  }

  private static double pick(SplittableRandom r, double... values) {
    return values[r.nextInt(values.length)];
  }

  /** The settings that differ from the shipped defaults, for a readable failure. */
  private static Map<String, Object> differences(BreakerSettings s) {
    Map<String, Object> shipped = BreakerSettings.defaults().canonical();
    Map<String, Object> diff = new TreeMap<>();
    s.canonical().forEach((key, value) -> {
      if (!value.equals(shipped.get(key))) diff.put(key, value);
    });
    return diff;
  }
}
