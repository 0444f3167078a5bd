package detour.providers.breaker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.FailureKind;
import detour.persistence.breaker.TripReason;
import detour.providers.breaker.BreakerState.Circuit;
import detour.providers.model.ProviderFailure;
import java.time.Instant;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** One node's own judgement while its breaker's owner is unreachable: the breaker's rules, nothing new. */
class LocalJudgeTest {
  final BreakerSettings settings = BreakerSettings.defaults().with(ConfigFactory.parseString("cooldown-jitter = 0"));
  final LocalJudge judge = new LocalJudge(BreakerScope.model("openai", "gpt-4o-mini"), settings, new SplittableRandom(1));
  final Instant now = Instant.parse("2026-01-05T09:00:00Z");
  static final ProviderFailure FAULT = ProviderFailure.of(FailureKind.SERVER_ERROR, 503, "down");

  @Test
  void theBreakersRunOfFaultsHoldsTheCircuitOpenForItsCooldown() {
    for (int i = 1; i < settings.consecutiveFaults(); i++) {
      assertEquals(Optional.empty(), judge.failure(now, FAULT, Circuit.CLOSED));
    }
    assertEquals(Optional.of(BreakerState.open(now.plus(settings.cooldown()), 0, TripReason.CONSECUTIVE_FAULTS)),
        judge.failure(now, FAULT, Circuit.CLOSED));
  }

  @Test
  void aCircuitTheClusterShowsOpenOrHalfOpenIsLeftAsItIs() {
    for (int i = 0; i < 2 * settings.consecutiveFaults(); i++) {
      assertEquals(Optional.empty(), judge.failure(now, FAULT, Circuit.OPEN));
      assertEquals(Optional.empty(), judge.failure(now, FAULT, Circuit.HALF_OPEN));
    }
  }

  @Test
  void clientErrorsCountAgainstNobodyHereEither() {
    var badRequest = ProviderFailure.of(FailureKind.BAD_REQUEST, 400, "bad");
    for (int i = 0; i < 2 * settings.consecutiveFaults(); i++) {
      assertEquals(Optional.empty(), judge.failure(now, badRequest, Circuit.CLOSED));
    }
  }

  @Test
  void theOwnersReturnForgetsWhatWasCounted() {
    for (int i = 1; i < settings.consecutiveFaults(); i++) judge.failure(now, FAULT, Circuit.CLOSED);
    judge.forgetAll();
    assertEquals(Optional.empty(), judge.failure(now, FAULT, Circuit.CLOSED));
  }
}
