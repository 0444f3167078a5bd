package detour.providers.breaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class CooldownPolicyTest {
  static final RandomGenerator MIDDLE = () -> Long.MIN_VALUE;  // nextDouble() == 0.5: no jitter
  final BreakerSettings settings = BreakerSettings.defaults();

  @Test
  void doublesWithEachOpenInARowUpToTheCap() {
    var policy = new CooldownPolicy(settings, MIDDLE);
    assertEquals(Duration.ofSeconds(30), policy.cooldown(0, Duration.ZERO));
    assertEquals(Duration.ofSeconds(60), policy.cooldown(1, Duration.ZERO));
    assertEquals(Duration.ofSeconds(120), policy.cooldown(2, Duration.ZERO));
    assertEquals(Duration.ofSeconds(240), policy.cooldown(3, Duration.ZERO));
    assertEquals(settings.maxCooldown(), policy.cooldown(4, Duration.ZERO));
    assertEquals(settings.maxCooldown(), policy.cooldown(40, Duration.ZERO));
  }

  @Test
  void jitterStaysWithinItsBoundsAndNeverPassesTheCap() {
    var policy = new CooldownPolicy(settings, new SplittableRandom(7));
    var seen = new HashSet<Duration>();
    for (int i = 0; i < 10_000; i++) {
      Duration first = policy.cooldown(0, Duration.ZERO);
      assertTrue(first.toMillis() >= 24_000 && first.toMillis() <= 36_000, "30 s +/- 20 %: " + first);
      seen.add(first);
      Duration capped = policy.cooldown(10, Duration.ZERO);
      assertTrue(capped.compareTo(settings.maxCooldown()) <= 0 && capped.toMillis() >= 240_000, "at the cap: " + capped);
    }
    assertTrue(seen.size() > 1000, "nodes spread out rather than probing in lockstep");
  }

  @Test
  void aRetryAfterIsTheFloorUpToItsOwnCap() {
    var policy = new CooldownPolicy(settings, MIDDLE);
    assertEquals(Duration.ofSeconds(90), policy.cooldown(0, Duration.ofSeconds(90)));
    assertEquals(Duration.ofSeconds(30), policy.cooldown(0, Duration.ofSeconds(5)), "a shorter one changes nothing");
    assertEquals(settings.maxRetryAfter(), policy.cooldown(0, Duration.ofHours(6)), "an absurd one is capped");
  }
}
