package detour.persistence.audit;

import akka.Done;
import akka.actor.typed.ActorSystem;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.PersistenceQuery;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import detour.persistence.breaker.BreakerEvent;
import detour.persistence.routing.RoutingEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Reads the journal through Akka Persistence Query, as it is now: every breaker's events, and
 * every node's routing record. Works offline and beside a running router (H2's AUTO_SERVER, or the
 * shared PostgreSQL).
 */
public final class JournalReader {
  /** The persistence ids' prefixes: {@code ProviderBreaker|<scope>}, {@code routing-record|<node>}. */
  public static final String BREAKERS = "ProviderBreaker|";
  public static final String ROUTING_RECORDS = "routing-record|";

  private final JdbcReadJournal journal;
  private final ActorSystem<?> system;

  public JournalReader(ActorSystem<?> system) {
    this.system = system;
    this.journal = PersistenceQuery.get(system.classicSystem())
        .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
  }

  /** Each breaker's events in journal order, one list per breaker. */
  public CompletionStage<List<List<BreakerEvent>>> breakerEvents() {
    return ids(BREAKERS).thenCompose(ids -> {
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

  /**
   * Hands every node's routing record intervals to {@code each}, one at a time (never two at once),
   * node after node, each node's in journal order. Nothing is kept: the caller folds them.
   */
  public CompletionStage<Done> routingEvents(Consumer<RoutingEvent.IntervalRecorded> each) {
    return ids(ROUTING_RECORDS).thenCompose(ids -> Source.from(ids)
        .flatMapConcat(id -> journal.currentEventsByPersistenceId(id, 0L, Long.MAX_VALUE))
        .map(envelope -> envelope.event())
        .runForeach(event -> {
          if (event instanceof RoutingEvent.IntervalRecorded interval) each.accept(interval);
        }, system));
  }

  private CompletionStage<List<String>> ids(String prefix) {
    return journal.currentPersistenceIds().filter(id -> id.startsWith(prefix)).runWith(Sink.seq(), system);
  }
}
