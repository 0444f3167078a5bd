package detour.providers.breaker;

import detour.persistence.breaker.BreakerEvent;
import detour.persistence.breaker.BreakerEvent.ProbingStarted;
import detour.persistence.breaker.BreakerEvent.Recovered;
import detour.persistence.breaker.BreakerEvent.Tripped;
import detour.persistence.breaker.BreakerScope;
import org.slf4j.Logger;

/** The one line a breaker logs per move, key=value, so operators can grep and the demo can show it. */
final class BreakerLog {
  private BreakerLog() {}

  static void moved(Logger log, BreakerEvent event) {
    if (event instanceof Tripped t) {
      log.warn("breaker={} circuit=OPEN until={} reopens={} consecutive_faults={} faults={} sample_status={} sample=\"{}\"",
          t.scope().key(), t.until(), t.reopens(), t.evidence().consecutiveFaults(), t.evidence().faultsByKind(),
          t.evidence().sampleStatus(), t.evidence().sampleMessage());
    } else if (event instanceof ProbingStarted p) {
      log.info("breaker={} circuit=HALF_OPEN probes={}", p.scope().key(), p.permits());
    } else if (event instanceof Recovered r) {
      log.info("breaker={} circuit=CLOSED probe_latency_ms={}", r.scope().key(), r.probeLatencyMillis());
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
