package detour.persistence;

import akka.Done;
import akka.actor.typed.ActorSystem;
import akka.persistence.jdbc.testkit.javadsl.SchemaUtils;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Creates the journal's tables on first start; later starts find them and change nothing. */
public final class JournalSchema {
  private JournalSchema() {}

  /**
   * Completes once the journal and snapshot tables exist. Despite its package, {@link SchemaUtils}
   * ships in the main akka-persistence-jdbc jar; it runs the bundled create script for the
   * configured profile (H2 or PostgreSQL) and ignores "already exists".
   */
  public static CompletionStage<Done> ensure(ActorSystem<?> system) {
    if (!system.settings().config().getBoolean("detour.journal.create-schema")) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    return SchemaUtils.createIfNotExists(system);
  }

  /**
   * H2's AUTO_SERVER listens on every interface unless told otherwise: keep the journal's port on
   * loopback. Must run before the first connection is opened.
   */
  public static void keepH2OnLoopback() {
    if (System.getProperty("h2.bindAddress") == null) {
      System.setProperty("h2.bindAddress", "127.0.0.1");
    }
  }
}
