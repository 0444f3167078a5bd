package detour.router.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import akka.actor.Address;
import akka.cluster.UniqueAddress;
import akka.cluster.ddata.LWWRegister;
import akka.cluster.ddata.SelfUniqueAddress;
import detour.persistence.breaker.TripReason;
import detour.providers.breaker.BreakerState;
import detour.providers.breaker.VersionedState;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The replicated register's rule: the breaker's journal sequence number decides, never arrival order. */
class ReplicatedViewTest {
  final SelfUniqueAddress owner = node(1);
  final SelfUniqueAddress heir = node(2);
  final VersionedState closed = new VersionedState(BreakerState.CLOSED, 0);
  final VersionedState open = new VersionedState(
      BreakerState.open(Instant.parse("2026-01-05T09:00:30Z"), 0, TripReason.CONSECUTIVE_FAULTS), 1);

  @Test
  void anOlderStateOfferedLateLeavesTheRegisterAsItIs() {
    var held = LWWRegister.create(owner, open, ReplicatedView.BY_VERSION);
    assertSame(held, ReplicatedView.offer(held, closed, owner));
  }

  @Test
  void aNewerStateReplacesTheOneHeldWithItsVersionAsTheClock() {
    var held = LWWRegister.create(owner, closed, ReplicatedView.BY_VERSION);
    var next = ReplicatedView.offer(held, open, owner);
    assertEquals(open, next.getValue());
    assertEquals(1, next.timestamp());
  }

  @Test
  void replicasMergeToTheHighestVersionWhicheverNodeWroteIt() {
    // The breaker moved to another node, which recovered it and moved on to version 2.
    var halfOpen = new VersionedState(BreakerState.halfOpen(0), 2);
    var fromOwner = LWWRegister.create(owner, open, ReplicatedView.BY_VERSION);
    var fromHeir = ReplicatedView.offer(LWWRegister.create(heir, open, ReplicatedView.BY_VERSION), halfOpen, heir);
    assertEquals(halfOpen, fromOwner.merge(fromHeir).getValue());
    assertEquals(halfOpen, fromHeir.merge(fromOwner).getValue());
  }

  private static SelfUniqueAddress node(long uid) {
    return new SelfUniqueAddress(new UniqueAddress(new Address("akka", "detour", "127.0.0.1", 25520 + (int) uid), uid));
  }
}
