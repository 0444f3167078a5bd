package detour.persistence.audit;

import akka.actor.typed.ActorSystem;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.PersistenceQuery;
import akka.stream.javadsl.Sink;
import detour.persistence.breaker.BreakerEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Reads every breaker's events from the journal through Akka Persistence Query, as they are now.
 * Works offline and beside a running router (H2's AUTO_SERVER, or the shared PostgreSQL).
 */
public final class JournalReader {
  private final JdbcReadJournal journal;
  private final ActorSystem<?> system;

  public JournalReader(ActorSystem<?> system) {
    this.system = system;
    this.journal = PersistenceQuery.get(system.classicSystem())
        .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
  }

  /** Each breaker's events in journal order, one list per breaker. */
  public CompletionStage<List<List<BreakerEvent>>> breakerEvents() {
    return journal.currentPersistenceIds()
        .filter(id -> id.startsWith("ProviderBreaker|"))
        .runWith(Sink.seq(), system)
        .thenCompose(ids -> {
          List<CompletableFuture<List<BreakerEvent>>> reads = new ArrayList<>();
          for (String id : ids) {
            reads.add(journal.currentEventsByPersistenceId(id, 0L, Long.MAX_VALUE)
                .map(envelope -> (BreakerEvent) envelope.event())
                .runWith(Sink.seq(), system)
                .toCompletableFuture());
          }
          return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
              .thenApply(done -> reads.stream().map(CompletableFuture::join).toList());
        });
  }
}
