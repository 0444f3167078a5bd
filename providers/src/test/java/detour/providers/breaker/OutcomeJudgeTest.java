package detour.providers.breaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import detour.persistence.breaker.FailureKind;
import detour.persistence.breaker.TripReason;
import detour.providers.model.ProviderFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The breaker's judgement over long seeded runs, without an actor: the defaults must not flap on
 * scattered faults, yet must catch a real outage fast.
 */
class OutcomeJudgeTest {
  final BreakerSettings settings = BreakerSettings.defaults();
  static final Duration AT_50_PER_SECOND = Duration.ofMillis(20);
  static final ProviderFailure FAULT = ProviderFailure.of(FailureKind.SERVER_ERROR, 503, "unavailable");

  @Test
  void threePercentOfScatteredFaultsNeverOpenTheCircuit() {
    for (long seed = 0; seed < 20; seed++) {
      var random = new SplittableRandom(seed);
      var judge = new OutcomeJudge(settings, true);
      Instant now = Instant.parse("2026-01-05T09:00:00Z");
      for (int call = 0; call < 30_000; call++) {  // ten minutes at 50 requests per second
        now = now.plus(AT_50_PER_SECOND);
        var verdict = random.nextDouble() < 0.03
            ? judge.failure(now, FAULT, settings.minimumCalls())
            : judge.success(now, 800, settings.minimumCalls());
        assertEquals(Optional.empty(), verdict, "seed " + seed + ", call " + call);
      }
    }
  }

  @Test
  void sixtyPercentOfFaultsOpenItWithinTwoSecondsAtFiftyRequestsPerSecond() {
    for (long seed = 0; seed < 200; seed++) {
      var random = new SplittableRandom(seed);
      var judge = new OutcomeJudge(settings, true);
      Instant now = Instant.parse("2026-01-05T09:00:00Z");
      for (int call = 0; call < 1_500; call++) {  // thirty healthy seconds fill the window first
        now = now.plus(AT_50_PER_SECOND);
        judge.success(now, 800, settings.minimumCalls());
      }
      Optional<TripReason> verdict = Optional.empty();
      int calls = 0;
      while (verdict.isEmpty() && calls < 100) {  // two seconds
        now = now.plus(AT_50_PER_SECOND);
        calls++;
        verdict = random.nextDouble() < 0.6
            ? judge.failure(now, FAULT, settings.minimumCalls())
            : judge.success(now, 800, settings.minimumCalls());
      }
      assertTrue(verdict.isPresent(), "seed " + seed + ": still closed after 2 s of 60 % faults");
    }
  }

  @Test
  void aProvidersBreakerLeavesSlowAnswersToItsModels() {
    var provider = new OutcomeJudge(settings, false);
    Instant now = Instant.parse("2026-01-05T09:00:00Z");
    for (int i = 0; i < 50; i++) {
      assertEquals(Optional.empty(), provider.success(now, settings.slowCallDuration().toMillis() * 2, 10));
    }
  }

  @Test
  void aRetryAfterFloorRunsDownWithTime() {
    var judge = new OutcomeJudge(settings, true);
    Instant now = Instant.parse("2026-01-05T09:00:00Z");
    judge.failure(now, new ProviderFailure(FailureKind.RATE_LIMITED, 429, "wait", "", Optional.of(Duration.ofSeconds(60))), 10);
    judge.failure(now.plusSeconds(20),
        new ProviderFailure(FailureKind.RATE_LIMITED, 429, "wait", "", Optional.of(Duration.ofSeconds(5))), 10);
    assertEquals(Duration.ofSeconds(30), judge.retryAfterFloor(now.plusSeconds(30)), "the longer one still holds");
    assertEquals(Duration.ZERO, judge.retryAfterFloor(now.plusSeconds(61)));
  }

  @Test
  void outcomesOlderThanTheWindowNoLongerCount() {
    var judge = new OutcomeJudge(settings, true);
    Instant now = Instant.parse("2026-01-05T09:00:00Z");
    for (int i = 0; i < 9; i++) {
      judge.failure(now, FAULT, settings.minimumCalls());
      judge.success(now, 10, settings.minimumCalls());  // keeps the run of faults short
    }
    // Long after, fresh healthy calls see none of those faults.
    now = now.plus(settings.windowDuration()).plusSeconds(1);
    for (int i = 0; i < 10; i++) {
      assertEquals(Optional.empty(), judge.success(now, 10, settings.minimumCalls()));
    }
    assertEquals(0, judge.evidence(TripReason.FAILURE_RATE, now).faultsByKind().size());
  }
}
