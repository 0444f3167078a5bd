package detour.simulator;

import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/** A behaviour in force, with the state its mode consumes as requests arrive. */
final class ActiveBehaviour {
  final Behaviour behaviour;
  private final AtomicLong failuresLeft;
  private final Random random;

  ActiveBehaviour(Behaviour behaviour) {
    this.behaviour = behaviour;
    this.failuresLeft = new AtomicLong(behaviour instanceof Behaviour.FailNext f ? f.count() : 0);
    this.random = behaviour instanceof Behaviour.FailFraction f ? new Random(f.seed()) : null;
  }

  /** Whether this request is one of fail-next's failures; exact under concurrency. */
  boolean takeFailure() {
    return failuresLeft.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
  }

  /** One draw of fail-fraction's seeded sequence, in arrival order. */
  boolean drawFailure(double fraction) {
    synchronized (random) {
      return random.nextDouble() < fraction;
    }
  }
}
