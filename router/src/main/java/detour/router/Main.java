package detour.router;

import akka.actor.typed.ActorSystem;
import ch.qos.logback.classic.LoggerContext;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import detour.persistence.DetourConfig;
import detour.persistence.JournalSchema;
import detour.router.cluster.BreakerFingerprint;
import detour.router.config.RouterSettings;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts one Detour node: {@code java -Dconfig.file=application.conf -jar detour.jar}. A bad
 * configuration or a failed start exits non-zero with the reason, before anything is served.
 */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    JournalSchema.keepH2OnLoopback();
    Config config;
    RouterSettings settings;
    try {
      config = DetourConfig.load();
      settings = RouterSettings.from(config);
    } catch (ConfigException bad) {
      refuse(2, "the configuration is invalid: " + bad.getMessage());
      return;
    }
    // What a joining node must share with the cluster, for BreakerConfigCheck to compare.
    config = BreakerFingerprint.of(settings).withFallback(config);
    var started = new CompletableFuture<Guardian.Started>();
    ActorSystem<Guardian.Command> system =
        ActorSystem.create(Guardian.create(settings, InstantSource.system(), started), "detour", config);
    // A start that fails leaves the ActorSystem alive and the JVM with it: end both.
    system.getWhenTerminated().thenRun(() -> started.completeExceptionally(new IllegalStateException("stopped")));
    try {
      started.get();
    } catch (ExecutionException | InterruptedException failed) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
      Throwable why = failed instanceof ExecutionException && failed.getCause() != null ? failed.getCause() : failed;
      refuse(1, why.getMessage() + (why.getCause() != null ? ": " + why.getCause() : ""));
    }
  }

  /**
   * Exits with the reason said on standard error, at once and flushed, as well as logged. The log
   * goes through an asynchronous appender, whose queue an immediate exit would drop: its context is
   * stopped (which drains the queue) before the JVM exits.
   */
  private static void refuse(int status, String reason) {
    System.err.println("Detour did not start: " + reason);
    System.err.flush();
    log.error("Detour did not start: {}", reason);
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) logback.stop();
    System.exit(status);
  }
}
