package detour.providers.breaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.TripReason;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BreakerViewTest {
  final BreakerView view = new BreakerView();
  final BreakerScope scope = BreakerScope.model("openai", "gpt-4o-mini");
  final BreakerState open = BreakerState.open(Instant.parse("2026-01-05T09:00:30Z"), 0, TripReason.CONSECUTIVE_FAULTS);

  @Test
  void anOlderStateArrivingLateNeverOverwritesANewerOne() {
    view.publish(scope, open, 1);
    view.publish(scope, BreakerState.CLOSED, 0);  // a late copy of the state before the trip
    assertEquals(open, view.stateOf(scope));
    assertEquals(1, view.versionOf(scope));
  }

  @Test
  void aNewerStateReplacesTheOneHeldAndTheSameVersionAgainChangesNothing() {
    view.publish(scope, BreakerState.CLOSED, 0);
    view.publish(scope, open, 1);
    view.publish(scope, open, 1);
    assertEquals(open, view.stateOf(scope));
    view.publish(scope, BreakerState.halfOpen(0), 2);
    assertEquals(BreakerState.halfOpen(0), view.stateOf(scope));
  }

  @Test
  void aScopeNothingWasPublishedForReadsClosedAndUnknown() {
    assertEquals(BreakerState.CLOSED, view.stateOf(BreakerScope.provider("anthropic")));
    assertEquals(-1, view.versionOf(BreakerScope.provider("anthropic")));
    assertEquals(false, view.knows(BreakerScope.provider("anthropic")));
  }

  @Test
  void aLocalHoldIsReadOverThePublishedStateWhichStaysUntouchedUnderneath() {
    view.publish(scope, BreakerState.CLOSED, 3);
    var held = BreakerState.open(Instant.parse("2026-01-05T09:01:00Z"), 0, TripReason.CONSECUTIVE_FAULTS);
    view.holdOpenLocally(scope, held);
    assertEquals(held, view.stateOf(scope));
    assertEquals(Map.of(scope, held), view.snapshot());
    assertEquals(Map.of(scope, held), view.localHolds());
    assertEquals(BreakerState.CLOSED, view.publishedStateOf(scope));
    assertEquals(3, view.versionOf(scope));
  }

  @Test
  void releasingAHoldLetsThePublishedStateRuleIncludingWhatArrivedMeanwhile() {
    view.publish(scope, BreakerState.CLOSED, 3);
    view.holdOpenLocally(scope, open);
    view.publish(scope, BreakerState.halfOpen(0), 4);  // replicated while held
    assertEquals(open, view.stateOf(scope));
    view.releaseLocal(scope);
    assertEquals(BreakerState.halfOpen(0), view.stateOf(scope));
    assertEquals(Map.of(), view.localHolds());
  }

  @Test
  void aLocalHoldMustBeAnOpenCircuit() {
    assertThrows(IllegalArgumentException.class, () -> view.holdOpenLocally(scope, BreakerState.CLOSED));
  }
}
