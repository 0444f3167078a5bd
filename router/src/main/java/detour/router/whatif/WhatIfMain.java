package detour.router.whatif;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import detour.persistence.DetourConfig;
import detour.persistence.JournalSchema;
import detour.persistence.audit.JournalReader;
import detour.persistence.audit.JournalTool;
import detour.persistence.routing.RoutingEvent.OutcomesRecorded;
import detour.router.config.RouterSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code scripts/detour audit --what-if other.conf}: replays the recorded outcomes through the
 * breakers with the settings in effect ({@code -Dconfig.file}) and with {@code other.conf} laid over
 * them, and prints both beside what the journal says happened. Reads only; safe beside a running
 * router.
 *
 * <pre>
 * --what-if FILE            the candidate settings: any part of a Detour configuration (usually
 *                           detour.breaker or detour.providers.NAME.breaker), over the settings in effect
 * --format text|json        (default text)
 * --provider NAME           only that provider's circuits
 * --from ISO-INSTANT        only recorded seconds from then
 * --to ISO-INSTANT          only recorded seconds until then
 * </pre>
 */
public final class WhatIfMain {
  private WhatIfMain() {}

  static final String USAGE = "usage: scripts/detour audit [--config FILE] --what-if FILE [--format text|json]"
      + " [--provider NAME] [--from ISO-INSTANT] [--to ISO-INSTANT]";

  public static void main(String[] args) {
    Optional<Path> candidateFile = Optional.empty();
    String format = "text";
    Optional<String> provider = Optional.empty();
    Optional<Instant> from = Optional.empty();
    Optional<Instant> to = Optional.empty();
    RouterSettings current;
    RouterSettings candidate;
    Config config;
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
          case "--what-if" -> candidateFile = Optional.of(Path.of(value));
          case "--format" -> format = value;
          case "--provider" -> provider = Optional.of(value);
          case "--from" -> from = Optional.of(Instant.parse(value));
          case "--to" -> to = Optional.of(Instant.parse(value));
          default -> throw new IllegalArgumentException("unknown argument '" + flag + "'"
              + (flag.equals("--out") || flag.equals("--route") ? " (not with --what-if)" : ""));
        }
      }
      if (candidateFile.isEmpty()) throw new IllegalArgumentException("--what-if FILE is required");
      if (!format.equals("text") && !format.equals("json")) {
        throw new IllegalArgumentException("--format must be text or json with --what-if, got '" + format + "'");
      }
      if (!Files.isReadable(candidateFile.get())) {
        throw new IllegalArgumentException("cannot read the candidate settings " + candidateFile.get());
      }
      JournalSchema.keepH2OnLoopback();
      config = DetourConfig.load(ConfigFactory.parseString(
          "akka.loglevel = WARNING\ndetour.journal.create-schema = off\nakka.log-dead-letters = 0"));
      current = RouterSettings.from(config);
      Config overlay = ConfigFactory.parseFile(candidateFile.get().toFile(),
          ConfigParseOptions.defaults().setAllowMissing(false));
      candidate = RouterSettings.from(overlay.withFallback(config).resolve());
      if (provider.isPresent() && !current.providers().containsKey(provider.get())) {
        throw new IllegalArgumentException("no provider '" + provider.get() + "' in the settings in effect; known: "
            + String.join(", ", new java.util.TreeSet<>(current.providers().keySet())));
      }
    } catch (IllegalArgumentException | DateTimeParseException bad) {
      System.err.println("audit: " + bad.getMessage() + "\n" + USAGE);
      System.exit(2);
      return;
    } catch (ConfigException bad) {
      System.err.println("audit: the settings are not valid: " + bad.getMessage());
      System.exit(2);
      return;
    }

    var scope = new WhatIf.Scope(provider, from, to);
    String name = candidateFile.get().getFileName().toString();
    boolean json = format.equals("json");
    RouterSettings inEffect = current;
    RouterSettings proposed = candidate;
    JournalTool.runAndExit("audit", config, system -> {
      var reader = new JournalReader(system);
      var breakers = reader.breakerEvents().toCompletableFuture().get(30, TimeUnit.MINUTES);
      List<OutcomesRecorded> rows = new ArrayList<>();
      reader.outcomeSeconds(rows::add).toCompletableFuture().get(30, TimeUnit.MINUTES);
      var result = WhatIf.replay(breakers, rows, inEffect, proposed, name, scope);
      if (json) {
        var mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        System.out.println(mapper.writeValueAsString(WhatIfReport.json(result, mapper)));
      } else {
        System.out.print(WhatIfReport.text(result));
      }
      System.out.flush();
    });
  }
}