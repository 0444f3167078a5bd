package detour.providers.breaker;

import detour.persistence.LogText;
import detour.persistence.breaker.BreakerEvent;
import detour.persistence.breaker.BreakerEvent.ProbingStarted;
import detour.persistence.breaker.BreakerEvent.RampAdvanced;
import detour.persistence.breaker.BreakerEvent.Recovered;
import detour.persistence.breaker.BreakerEvent.Tripped;
import detour.persistence.breaker.BreakerScope;
import org.slf4j.Logger;

/**
 * The one line a breaker logs per move, key=value, so operators can grep and the demo can show it.
 * Text from outside (an upstream's message, an operator's name and reason) is escaped by {@link
 * LogText}, so that it stays inside its quotes on its one line.
 */
final class BreakerLog {
  private BreakerLog() {}

  static void moved(Logger log, BreakerEvent event) {
    if (event instanceof Tripped t) {
      var e = t.evidence();
      log.warn("breaker={} circuit=OPEN reason={} cooldown_ms={} until={} reopens={} window_calls={} faults={} "
              + "slow_calls={} consecutive_faults={} retry_after_ms={} sample_status={} sample=\"{}\"",
          t.scope().key(), e.reason(), e.cooldown().toMillis(), t.until(), t.reopens(), e.windowCalls(),
          e.faultsByKind(), e.slowCalls(), e.consecutiveFaults(), e.retryAfter().toMillis(), e.sampleStatus(),
          LogText.escape(e.sampleMessage()));
    } else if (event instanceof ProbingStarted p) {
      log.info("breaker={} circuit=HALF_OPEN probes_needed={}", p.scope().key(), p.probes());
    } else if (event instanceof RampAdvanced r) {
      log.info("breaker={} circuit=RECOVERING stage={} share={} until={}", r.scope().key(), r.stage(), r.share(),
          r.until());
    } else if (event instanceof Recovered r) {
      log.info("breaker={} circuit=CLOSED", r.scope().key());
    } else if (event instanceof BreakerEvent.Overridden o) {
      log.warn("breaker={} override={} operator=\"{}\" reason=\"{}\"", o.scope().key(),
          o.getClass().getSimpleName(), LogText.escape(o.operator()), LogText.escape(o.reason()));
    }
  }

  static void recovered(Logger log, BreakerScope scope, BreakerState state) {
    if (state.circuit() == BreakerState.Circuit.CLOSED) {
      log.debug("breaker={} recovered circuit=CLOSED", scope.key());
    } else {
      log.warn("breaker={} recovered circuit={} until={} reopens={}",
          scope.key(), state.circuit(), state.until(), state.reopens());
    }
  }
}
