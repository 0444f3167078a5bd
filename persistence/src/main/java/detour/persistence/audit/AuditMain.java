package detour.persistence.audit;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import detour.persistence.DetourConfig;
import detour.persistence.JournalSchema;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code scripts/detour audit}: replays the journal named by the configuration
 * ({@code -Dconfig.file}) and prints its incidents. Reads only; safe beside a running router.
 *
 * <pre>
 * --format text|json   (default text)
 * --provider NAME      only that provider's breakers
 * --from ISO-INSTANT   only incidents still open at or after it
 * --to ISO-INSTANT     only incidents opened at or before it
 * </pre>
 */
public final class AuditMain {
  private AuditMain() {}

  public static void main(String[] args) {
    String format = "text";
    Optional<String> provider = Optional.empty();
    Optional<Instant> from = Optional.empty();
    Optional<Instant> to = Optional.empty();
    try {
      for (int i = 0; i < args.length; i += 2) {
        String flag = args[i];
        if (i + 1 >= args.length) throw new IllegalArgumentException(flag + " needs a value");
        String value = args[i + 1];
        switch (flag) {
          case "--format" -> format = value;
          case "--provider" -> provider = Optional.of(value);
          case "--from" -> from = Optional.of(Instant.parse(value));
          case "--to" -> to = Optional.of(Instant.parse(value));
          default -> throw new IllegalArgumentException("unknown argument '" + flag + "'");
        }
      }
      if (!format.equals("text") && !format.equals("json")) {
        throw new IllegalArgumentException("--format must be text or json, got '" + format + "'");
      }
    } catch (IllegalArgumentException | DateTimeParseException bad) {
      System.err.println("audit: " + bad.getMessage()
          + "\nusage: scripts/detour audit [--format text|json] [--provider NAME] [--from ISO-INSTANT] [--to ISO-INSTANT]");
      System.exit(2);
      return;
    }
    var filter = new AuditFilter(provider, from, to);
    JournalSchema.keepH2OnLoopback();
    var config = DetourConfig.load(ConfigFactory.parseString(
        "akka.loglevel = WARNING\ndetour.journal.create-schema = off\nakka.log-dead-letters = 0"));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "detour-audit", config);
    int exit = 0;
    try {
      var perBreaker = new JournalReader(system).breakerEvents().toCompletableFuture().get(120, TimeUnit.SECONDS);
      var incidents = IncidentTimeline.ofAll(perBreaker).stream().filter(filter::admits).toList();
      var report = new AuditReport(incidents, Instant.now());
      System.out.print(format.equals("json") ? report.json() + "\n" : report.text());
    } catch (Exception failed) {
      System.err.println("audit: could not read the journal: " + failed.getMessage());
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
