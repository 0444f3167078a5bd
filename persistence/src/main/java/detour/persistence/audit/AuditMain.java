package detour.persistence.audit;

import com.typesafe.config.ConfigFactory;
import detour.persistence.DetourConfig;
import detour.persistence.JournalSchema;
import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code scripts/detour audit}: replays the journal named by the configuration
 * ({@code -Dconfig.file}) and prints its incidents, with what the routing record says of them.
 * Reads only; safe beside a running router.
 *
 * <pre>
 * --format text|json|html   (default text; html is one self-contained page)
 * --out FILE                write there instead of standard output
 * --provider NAME           only that provider's breakers
 * --route NAME              only that route's failovers and failures in the routing figures
 * --from ISO-INSTANT        only incidents still open at or after it
 * --to ISO-INSTANT          only incidents opened at or before it
 * </pre>
 */
public final class AuditMain {
  private AuditMain() {}

  static final String USAGE = "usage: scripts/detour audit [--config FILE] [--format text|json|html] [--out FILE]"
      + " [--provider NAME] [--route NAME] [--from ISO-INSTANT] [--to ISO-INSTANT]";

  public static void main(String[] args) {
    String format = "text";
    Optional<Path> out = Optional.empty();
    Optional<String> provider = Optional.empty();
    Optional<String> route = Optional.empty();
    Optional<Instant> from = Optional.empty();
    Optional<Instant> to = Optional.empty();
    try {
      for (int i = 0; i < args.length; i += 2) {
        String flag = args[i];
        if (flag.equals("--help") || flag.equals("-h")) {
          System.out.println(USAGE);
          System.exit(0);
          return;
        }
        if (i + 1 >= args.length) throw new IllegalArgumentException(flag + " needs a value");
        String value = args[i + 1];
        switch (flag) {
          case "--format" -> format = value;
          case "--out" -> out = Optional.of(Path.of(value));
          case "--provider" -> provider = Optional.of(value);
          case "--route" -> route = Optional.of(value);
          case "--from" -> from = Optional.of(Instant.parse(value));
          case "--to" -> to = Optional.of(Instant.parse(value));
          default -> throw new IllegalArgumentException("unknown argument '" + flag + "'");
        }
      }
      if (!format.equals("text") && !format.equals("json") && !format.equals("html")) {
        throw new IllegalArgumentException("--format must be text, json or html, got '" + format + "'");
      }
    } catch (IllegalArgumentException | DateTimeParseException bad) {
      System.err.println("audit: " + bad.getMessage() + "\n" + USAGE);
      System.exit(2);
      return;
    }
    var filter = new AuditFilter(provider, from, to, route);
    JournalSchema.keepH2OnLoopback();
    var config = DetourConfig.load(ConfigFactory.parseString(
        "akka.loglevel = WARNING\ndetour.journal.create-schema = off\nakka.log-dead-letters = 0"));
    String chosen = format;  // the lambda needs values fixed after the parsing
    Optional<Path> target = out;
    JournalTool.runAndExit("audit", config, system -> {
      AuditReport report = Audit.read(system, filter, Instant.now(), chosen.equals("html")).toCompletableFuture()
          .get(30, TimeUnit.MINUTES);
      Writer writer = target.isPresent()
          ? Files.newBufferedWriter(target.get(), StandardCharsets.UTF_8)
          : new BufferedWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8),
              1 << 16);
      try (writer) {
        switch (chosen) {
          case "json" -> {
            report.writeJson(writer);
            writer.write('\n');
          }
          case "html" -> writer.write(report.html());
          default -> report.writeText(writer);
        }
      }
      target.ifPresent(file -> System.err.println("audit: wrote " + file.toAbsolutePath() + " ("
          + report.incidents().size() + " incident(s), " + report.routing().intervals() + " routing record interval(s))"));
    });
  }
}