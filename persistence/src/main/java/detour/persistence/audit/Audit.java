package detour.persistence.audit;

import akka.actor.typed.ActorSystem;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * The audit as {@code scripts/detour audit} and {@code GET /admin/incidents} run it: the breakers'
 * incidents that the filter admits, then the routing record folded into them.
 */
public final class Audit {
  private Audit() {}

  public static CompletionStage<AuditReport> read(ActorSystem<?> system, AuditFilter filter, Instant now) {
    return read(system, filter, now, false);
  }

  /** @param forPage whether the report will be drawn as the HTML page, which needs each interval's volume */
  public static CompletionStage<AuditReport> read(ActorSystem<?> system, AuditFilter filter, Instant now,
      boolean forPage) {
    JournalReader reader = new JournalReader(system);
    return reader.breakerEvents().thenCompose(perBreaker -> {
      var incidents = IncidentTimeline.ofAll(perBreaker).stream().filter(filter::admits).toList();
      var routing = new RoutingHistory(incidents, filter, now, forPage);
      return reader.routingEvents(routing::add).thenApply(done -> new AuditReport(incidents, routing, now));
    });
  }
}
