package detour.persistence.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.Done;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import akka.pattern.Patterns;
import akka.persistence.JournalProtocol;
import akka.persistence.Persistence;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.stream.javadsl.Sink;
import com.typesafe.config.ConfigFactory;
import detour.persistence.DetourConfig;
import detour.persistence.JournalSchema;
import detour.persistence.breaker.BreakerEvent;
import detour.persistence.breaker.BreakerScope;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The reader's windows of sequence numbers, on the real H2 journal with a window of 3: a stream
 * longer than a window reads whole and in order, and so does one whose beginning was deleted.
 */
class JournalReaderTest {
  static final ActorTestKit testKit;

  static {
    try {
      String file = Files.createTempDirectory("detour-reader").resolve("journal").toString().replace('\\', '/');
      testKit = ActorTestKit.create("reader", DetourConfig.load(ConfigFactory.parseString(
          "detour.journal.h2-file = \"" + file + "\"\nakka.loglevel = WARNING\njdbc-read-journal.max-buffer-size = 3")));
      JournalSchema.keepH2OnLoopback();
      JournalSchema.ensure(testKit.system()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterAll
  static void shutDown() {
    testKit.shutdownTestKit();
  }

  static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");

  /** Journals {@code n} events under the breaker's persistence id, numbered 1 to n. */
  static String write(String provider, int n) {
    var scope = BreakerScope.provider(provider);
    var id = PersistenceId.of("ProviderBreaker", scope.key());
    var writer = testKit.spawn(new Writer(id));
    var done = testKit.<Done>createTestProbe();
    for (int i = 0; i < n; i++) {
      writer.tell(new Writer.Write(new BreakerEvent.Reset(scope, T0.plusSeconds(i), "ana", "event " + (i + 1)), done.ref()));
      done.receiveMessage(Duration.ofSeconds(20));
    }
    testKit.stop(writer);
    return id.id();
  }

  static List<Long> read(String id) throws Exception {
    return new JournalReader(testKit.system()).events(id).map(e -> e.sequenceNr())
        .runWith(Sink.seq(), testKit.system()).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static void deleteUpTo(String id, long upTo) throws Exception {
    var journal = Persistence.get(testKit.system().classicSystem()).journalFor("", ConfigFactory.empty());
    Patterns.askWithReplyTo(journal, replyTo -> new JournalProtocol.DeleteMessagesTo(id, upTo, replyTo),
        Duration.ofSeconds(20)).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void aStreamLongerThanAWindowIsReadWholeAndInOrder() throws Exception {
    String id = write("long", 10);
    assertEquals(LongStream.rangeClosed(1, 10).boxed().toList(), read(id));
    String exact = write("exact", 6);
    assertEquals(LongStream.rangeClosed(1, 6).boxed().toList(), read(exact), "windows exactly full");
  }

  @Test
  void aStreamWhoseBeginningWasDeletedIsReadFromItsFirstLiveEvent() throws Exception {
    String id = write("pruned", 10);
    deleteUpTo(id, 7);
    assertEquals(List.of(8L, 9L, 10L), read(id));
    deleteUpTo(id, 10);
    assertEquals(List.of(), read(id), "every event deleted");
    assertEquals(List.of(), read("ProviderBreaker|nobody"));
  }

  /** Journals what it is told, one event per command. */
  static final class Writer extends EventSourcedBehavior<Writer.Write, BreakerEvent, List<BreakerEvent>> {
    record Write(BreakerEvent event, ActorRef<Done> replyTo) {}

    Writer(PersistenceId id) {
      super(id);
    }

    @Override
    public List<BreakerEvent> emptyState() {
      return new ArrayList<>();
    }

    @Override
    public CommandHandler<Write, BreakerEvent, List<BreakerEvent>> commandHandler() {
      return newCommandHandlerBuilder().forAnyState()
          .onCommand(Write.class, (s, w) -> Effect().persist(w.event()).thenReply(w.replyTo(), after -> Done.getInstance()))
          .build();
    }

    @Override
    public EventHandler<List<BreakerEvent>, BreakerEvent> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((s, e) -> s);
    }
  }
}
