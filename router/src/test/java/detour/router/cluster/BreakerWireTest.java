package detour.router.cluster;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.SerializationTestKit;
import detour.persistence.breaker.BreakerEvent.Tripped;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.Evidence;
import detour.persistence.breaker.FailureKind;
import detour.persistence.breaker.TripReason;
import detour.providers.breaker.BreakerReport;
import detour.providers.breaker.BreakerState;
import detour.providers.breaker.ProviderBreaker;
import detour.providers.breaker.VersionedState;
import detour.providers.breaker.WindowStats;
import detour.providers.model.ProviderFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Everything that travels between a node and a breaker's owner survives the wire (the CBOR
 * binding of the cluster's messages) and comes back equal.
 */
class BreakerWireTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  static final SerializationTestKit wire = new SerializationTestKit(testKit.system());

  final Instant at = Instant.parse("2026-01-05T09:00:00Z");
  final BreakerScope scope = BreakerScope.model("openai", "gpt-4o-mini");
  final BreakerState open = BreakerState.open(at.plusSeconds(30), 1, TripReason.CONSECUTIVE_FAULTS);

  @AfterAll
  static void shutDown() {
    testKit.shutdownTestKit();
  }

  @Test
  void outcomesAndTheirBatchesCrossTheWireIntact() {
    wire.verifySerialization(new ProviderBreaker.RecordSuccesses(List.of(12L, 240L, 7L)), true);
    wire.verifySerialization(new ProviderBreaker.RecordSuccess(33, true), true);
    wire.verifySerialization(new ProviderBreaker.RecordFailure(new ProviderFailure(FailureKind.RATE_LIMITED, 429,
        "slow down", "rate_limit_exceeded", Optional.of(Duration.ofSeconds(2))), false), true);
  }

  @Test
  void questionsCarryTheirReplyAddressAndAnswersComeBackIntact() {
    var replyTo = testKit.<VersionedState>createTestProbe().ref();
    wire.verifySerialization(new ProviderBreaker.GetVersionedState(replyTo), true);
    wire.verifySerialization(new ProviderBreaker.AskForProbe(testKit.<ProviderBreaker.ProbeAnswer>createTestProbe().ref()), true);
    wire.verifySerialization(new ProviderBreaker.Administer(ProviderBreaker.Action.FORCE_OPEN, Duration.ofMinutes(5),
        "ana", "provider maintenance", testKit.<BreakerState>createTestProbe().ref()), true);
    wire.verifySerialization(new VersionedState(open, 7), true);
    wire.verifySerialization(new ProviderBreaker.ProbeRefused("a probe is already in flight"), true);
    var evidence = new Evidence(TripReason.CONSECUTIVE_FAULTS, 5, Map.of(FailureKind.SERVER_ERROR, 5), 0, 5, 0, 503,
        "upstream said 503", Duration.ofSeconds(30), Duration.ZERO);
    wire.verifySerialization(new BreakerReport(scope, open, new WindowStats(5, 5, 0, 0, Map.of(FailureKind.SERVER_ERROR, 5)),
        Optional.of(new Tripped(scope, at, at.plusSeconds(30), 1, evidence)), Optional.empty()), true);
  }
}
