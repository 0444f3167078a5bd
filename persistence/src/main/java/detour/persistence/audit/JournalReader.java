package detour.persistence.audit;

import akka.Done;
import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.japi.Pair;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.EventEnvelope;
import akka.persistence.query.PersistenceQuery;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import detour.persistence.breaker.BreakerEvent;
import detour.persistence.routing.RoutingEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Reads the journal through Akka Persistence Query, as it is now: every breaker's events, and
 * every node's routing record. Works offline and beside a running router (H2's AUTO_SERVER, or the
 * shared PostgreSQL).
 *
 * <p>Each stream is read in windows of sequence numbers ({@link #events}): H2 cannot stop the read
 * journal's query ({@code persistence_id = ? and sequence_number >= ? order by sequence_number
 * limit ?}) after its limit, so an open range costs every remaining row of the stream, for every
 * batch: reading a stream of n events took n²/(2 x batch) row reads, and a month of routing
 * record (175,000 rows a node) more than ten minutes. A closed range costs its own rows only.
 */
public final class JournalReader {
  /** The persistence ids' prefixes: {@code ProviderBreaker|<scope>}, {@code routing-record|<node>}. */
  public static final String BREAKERS = "ProviderBreaker|";
  public static final String ROUTING_RECORDS = "routing-record|";

  private final JdbcReadJournal journal;
  private final ActorSystem<?> system;
  private final int window;

  public JournalReader(ActorSystem<?> system) {
    this.system = system;
    this.journal = PersistenceQuery.get(system.classicSystem())
        .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    // One query per window: the window is the read journal's batch.
    this.window = Math.max(1, system.settings().config().getInt("jdbc-read-journal.max-buffer-size"));
  }

  /**
   * One stream's events, in order, as they are now, read in windows of sequence numbers. A stream's
   * live events have consecutive sequence numbers (deletion only ever removes a prefix), so a
   * window that is not full is the last. The first window starts at 1; when retention has deleted
   * the stream's beginning, one open query finds its first live event.
   */
  public Source<EventEnvelope, NotUsed> events(String persistenceId) {
    return Source.lazySource(() -> Source.completionStage(window(persistenceId, 1L)).flatMapConcat(first -> {
      if (!first.isEmpty()) return Source.single(first).concat(windowsAfter(persistenceId, first));
      return journal.currentEventsByPersistenceId(persistenceId, 1L, Long.MAX_VALUE).take(1)
          .flatMapConcat(lowest -> Source.completionStage(window(persistenceId, lowest.sequenceNr()))
              .flatMapConcat(list -> Source.single(list).concat(windowsAfter(persistenceId, list))));
    })).mapConcat(list -> list).mapMaterializedValue(any -> NotUsed.getInstance());
  }

  private Source<List<EventEnvelope>, NotUsed> windowsAfter(String persistenceId, List<EventEnvelope> previous) {
    if (previous.size() < window) return Source.empty();
    long next = previous.get(previous.size() - 1).sequenceNr() + 1;
    return Source.unfoldAsync(next, from -> from < 0
        ? CompletableFuture.completedFuture(Optional.empty())
        : window(persistenceId, from).thenApply(list -> list.isEmpty() ? Optional.<Pair<Long, List<EventEnvelope>>>empty()
            : Optional.of(Pair.create(list.size() < window ? -1L : list.get(list.size() - 1).sequenceNr() + 1, list))));
  }

  private CompletionStage<List<EventEnvelope>> window(String persistenceId, long from) {
    return journal.currentEventsByPersistenceId(persistenceId, from, from + window - 1).runWith(Sink.seq(), system);
  }

  /** Each breaker's events in journal order, one list per breaker. */
  public CompletionStage<List<List<BreakerEvent>>> breakerEvents() {
    return ids(BREAKERS).thenCompose(ids -> {
      List<CompletableFuture<List<BreakerEvent>>> reads = new ArrayList<>();
      for (String id : ids) {
        reads.add(events(id)
            .map(envelope -> (BreakerEvent) envelope.event())
            .runWith(Sink.seq(), system)
            .toCompletableFuture());
      }
      return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
          .thenApply(done -> reads.stream().map(CompletableFuture::join).toList());
    });
  }

  /**
   * Hands every node's routing record intervals to {@code each}, one at a time (never two at once).
   * The nodes' records are read together, since their rows lie side by side in the journal (each
   * page read serves them all); so intervals come in journal order per node, interleaved across
   * nodes. Nothing is kept: the caller folds them.
   */
  public CompletionStage<Done> routingEvents(Consumer<RoutingEvent.IntervalRecorded> each) {
    return routingRows(event -> {
      if (event instanceof RoutingEvent.IntervalRecorded interval) each.accept(interval);
    });
  }

  /** As {@link #routingEvents}, for the per-second outcome rows that the what-if replay reads. */
  public CompletionStage<Done> outcomeSeconds(Consumer<RoutingEvent.OutcomesRecorded> each) {
    return routingRows(event -> {
      if (event instanceof RoutingEvent.OutcomesRecorded outcomes) each.accept(outcomes);
    });
  }

  private CompletionStage<Done> routingRows(Consumer<Object> each) {
    return ids(ROUTING_RECORDS).thenCompose(ids -> Source.from(ids)
        .flatMapMerge(Math.max(1, ids.size()), this::events)
        .map(envelope -> envelope.event())
        .runForeach(each::accept, system));
  }

  private CompletionStage<List<String>> ids(String prefix) {
    return journal.currentPersistenceIds().filter(id -> id.startsWith(prefix)).runWith(Sink.seq(), system);
  }
}
