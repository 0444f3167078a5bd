package detour.bench;

import akka.actor.typed.ActorSystem;
import ch.qos.logback.classic.Level;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import detour.persistence.DetourConfig;
import detour.persistence.JournalSchema;
import detour.persistence.audit.JournalReader;
import detour.persistence.routing.RoutingEvent;
import detour.simulator.Behaviour;
import detour.simulator.ProviderSimulator;
import detour.router.Guardian;
import detour.router.config.RouterSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * Measures what the routing record writes during a full outage of the primary at a high request
 * rate: every request fails over (first on the 503s, then past the open circuit), so every one is
 * recorded, and the journal must still get one row per interval, not one per request. An
 * open-loop load of {@code rate} requests per second for {@code seconds}, against the provider
 * simulator on loopback, with the shipped defaults (interval 10 s). Everything runs in this JVM and
 * stops by itself.
 *
 * <pre>RoutingRecordLoad [rate, default 500] [seconds, default 60]</pre>
 */
public final class RoutingRecordLoad {
  private RoutingRecordLoad() {}

  public static void main(String[] args) throws Exception {
    int rate = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("detour")).setLevel(Level.WARN);
    JournalSchema.keepH2OnLoopback();
    Path work = Files.createTempDirectory("detour-routing-record-load");
    try (var simulator = ProviderSimulator.start(Map.of("primary", 0, "fallback", 0))) {
      Config config = DetourConfig.load(ConfigFactory.parseString(String.join("\n",
          "detour.http.port = 0",
          "detour.node-name = bench",
          "detour.journal.h2-file = \"" + work.resolve("journal").toString().replace('\\', '/') + "\"",
          "detour.providers.primary { base-url = \"" + simulator.instance("primary").baseUrl() + "\", api-key-required = off }",
          // Room for the whole load on the fallback: its queue, not the record, is what this machine runs out of.
          "detour.providers.fallback { base-url = \"" + simulator.instance("fallback").baseUrl() + "\", api-key-required = off,"
              + " max-connections = 256, max-open-requests = 2048 }",
          "detour.models.big { provider = primary, context-window = 128000 }",
          "detour.models.small { provider = fallback, context-window = 32000 }",
          "detour.routes.default { chain = [big, small] }")));
      var started = new CompletableFuture<Guardian.Started>();
      var system = ActorSystem.create(Guardian.create(RouterSettings.from(config), InstantSource.system(), started),
          "routing-record-load", config);
      try {
        var node = started.get(60, TimeUnit.SECONDS);
        simulator.instance("primary").behave(Behaviour.error(503));  // a full outage from the first request
        var load = new FixedRateLoad(node.address().getPort(), rate);
        long began = System.nanoTime();
        load.start();
        Thread.sleep(seconds * 1000L);
        load.stop(Duration.ofSeconds(2));  // the last answers
        // What the record counted since the last interval boundary is written at once, as at shutdown.
        node.fleet().routingRecord().flush(system, Duration.ofSeconds(30)).toCompletableFuture().get(60, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - began) / 1e9;
        List<RoutingEvent.IntervalRecorded> rows = new ArrayList<>();
        new JournalReader(system).routingEvents(rows::add).toCompletableFuture().get(60, TimeUnit.SECONDS);
        List<RoutingEvent.OutcomesRecorded> outcomeRows = new ArrayList<>();
        new JournalReader(system).outcomeSeconds(outcomeRows::add).toCompletableFuture().get(60, TimeUnit.SECONDS);
        long recorded = rows.stream().mapToLong(RoutingEvent.IntervalRecorded::requests).sum();
        long breakerRows = new JournalReader(system).breakerEvents().toCompletableFuture().get(60, TimeUnit.SECONDS)
            .stream().mapToLong(List::size).sum();
        System.out.printf("load: %d requests sent in %.1f s (%.0f/s offered at %d/s), %d answered 200 (%d from the"
            + " fallback), %d not; by status %s%n", load.sent.get(), elapsed, load.sent.get() / elapsed, rate,
            load.answered.get(), load.answeredBy("fallback"), load.failed.get(), load.statuses);
        System.out.printf("routing record: %d rows for %d recorded requests in %.1f s: %.3f writes/s (%.1f KB a row"
            + " on average); breakers: %d rows%n", rows.size(), recorded, elapsed, rows.size() / elapsed,
            rows.stream().mapToLong(RoutingRecordLoad::size).average().orElse(0) / 1024, breakerRows);
        System.out.printf("outcome seconds (for the what-if replay): %d rows, %d model-seconds, %.3f writes/s (%.1f KB a"
            + " row on average); all routing-record rows: %.3f writes/s%n", outcomeRows.size(),
            outcomeRows.stream().mapToLong(r -> r.seconds().size()).sum(), outcomeRows.size() / elapsed,
            outcomeRows.stream().mapToLong(RoutingRecordLoad::size).average().orElse(0) / 1024,
            (rows.size() + outcomeRows.size()) / elapsed);
        Map<String, Long> outcomes = new java.util.TreeMap<>();
        Map<String, Long> causes = new java.util.TreeMap<>();
        for (var row : rows) {
          row.outcomes().forEach(o -> outcomes.merge(o.outcome().journalName(), o.requests(), Long::sum));
          row.failovers().forEach(f -> causes.merge(f.from().key() + " " + f.cause() + " -> "
              + (f.answered() ? f.to().key() : "nobody"), f.requests(), Long::sum));
        }
        System.out.printf("recorded outcomes %s%nrecorded failovers %s%n", outcomes, causes);
      } finally {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
    System.exit(0);
  }

  private static long size(RoutingEvent row) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().findAndRegisterModules().writeValueAsBytes(row).length;
    } catch (Exception e) {
      return 0;
    }
  }
}
