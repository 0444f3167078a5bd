package detour.persistence.audit;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * How the journal's command-line tools (the audit, the what-if replay) run: an actor system of their
 * own to read with, an exit status that says what went wrong, and the system stopped either way.
 */
public final class JournalTool {
  private JournalTool() {}

  /**
   * Laid over the configuration the tool reads (the router's own, for the journal's settings): a
   * local actor system, which binds no Artery port (a pinned DETOUR_REMOTE_PORT is the running
   * router's); should anything start remoting or management all the same, on a free port.
   */
  static final Config LOCAL_ONLY = ConfigFactory.parseString("""
      akka.actor.provider = local
      akka.remote.artery.canonical.port = 0
      akka.management.http.port = 0
      """);

  /** The tool's work, given the actor system to read the journal with. */
  public interface Work {
    void run(ActorSystem<Void> system) throws Exception;
  }

  /**
   * Runs {@code work} and exits the JVM: 0 when it finished, 1 when the journal could not be read or
   * the output not written (said on standard error, after {@code tool + ": "}).
   */
  public static void runAndExit(String tool, Config config, Work work) {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "detour-" + tool.replace(' ', '-'),
        LOCAL_ONLY.withFallback(config));
    int exit = 0;
    try {
      work.run(system);
    } catch (IOException failed) {
      System.err.println(tool + ": could not write the output: " + failed.getMessage());
      exit = 1;
    } catch (Exception failed) {
      Throwable cause = failed instanceof ExecutionException && failed.getCause() != null ? failed.getCause() : failed;
      System.err.println(tool + ": could not read the journal: " + cause);
      exit = 1;
    } finally {
      system.terminate();
      try {
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // exiting anyway
      }
    }
    System.exit(exit);
  }
}
