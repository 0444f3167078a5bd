package detour.router.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * What the node journals besides its breakers, and for how long: {@code detour.journal}'s
 * routing record and retention settings.
 *
 * @param routingRecord the routing record's settings
 * @param retention how long journal detail is kept; empty: for ever ({@code retention = off})
 * @param retentionCheckInterval how often the node deletes what is past the retention
 */
public record JournalSettings(RoutingRecordSettings routingRecord, Optional<Duration> retention,
    Duration retentionCheckInterval) {

  /**
   * @param enabled whether the routing record is written at all
   * @param interval one row per node at most per interval
   * @param sampleSize requests kept as samples per interval
   * @param maxKeys distinct keys per row at most, in each of its two lists (and models per second
   *     in an outcome row)
   * @param outcomes whether every call's outcome is counted per second and model, and the seconds
   *     around trouble journaled, for the what-if replay
   * @param outcomesLead how long before trouble the outcome seconds are journaled
   * @param outcomesTail how long after the last trouble they still are
   */
  public record RoutingRecordSettings(boolean enabled, Duration interval, int sampleSize, int maxKeys,
      boolean outcomes, Duration outcomesLead, Duration outcomesTail) {

    /** With the shipped outcome settings: on, 60 s before and after. */
    public RoutingRecordSettings(boolean enabled, Duration interval, int sampleSize, int maxKeys) {
      this(enabled, interval, sampleSize, maxKeys, true, Duration.ofSeconds(60), Duration.ofSeconds(60));
    }
  }

  /** Reads and checks {@code detour.journal} of a resolved configuration. */
  static JournalSettings from(Config journal) {
    Config record = journal.getConfig("routing-record");
    Duration interval = record.getDuration("interval");
    require(interval.compareTo(Duration.ofSeconds(1)) >= 0, record, "detour.journal.routing-record.interval",
        "must be at least 1s");
    int sampleSize = record.getInt("sample-size");
    require(sampleSize >= 0 && sampleSize <= 100, record, "detour.journal.routing-record.sample-size",
        "must be from 0 to 100");
    int maxKeys = record.getInt("max-keys");
    require(maxKeys >= 1 && maxKeys <= 10_000, record, "detour.journal.routing-record.max-keys",
        "must be from 1 to 10000");
    Config outcomes = record.getConfig("outcomes");
    Duration lead = outcomes.getDuration("lead");
    Duration tail = outcomes.getDuration("tail");
    require(!lead.isNegative() && lead.compareTo(Duration.ofMinutes(10)) <= 0, record,
        "detour.journal.routing-record.outcomes.lead", "must be from 0s to 10m");
    require(!tail.isNegative() && tail.compareTo(Duration.ofMinutes(10)) <= 0, record,
        "detour.journal.routing-record.outcomes.tail", "must be from 0s to 10m");
    Optional<Duration> retention;
    String raw = journal.getValue("retention").unwrapped().toString().trim().toLowerCase(Locale.ROOT);
    if (raw.equals("off") || raw.equals("false")) {
      retention = Optional.empty();
    } else {
      Duration kept = journal.getDuration("retention");
      require(kept.compareTo(Duration.ofMinutes(1)) >= 0, journal, "detour.journal.retention",
          "must be at least 1m, or off to keep everything");
      retention = Optional.of(kept);
    }
    Duration check = journal.getDuration("retention-check-interval");
    require(check.compareTo(Duration.ofSeconds(1)) >= 0, journal, "detour.journal.retention-check-interval",
        "must be at least 1s");
    return new JournalSettings(new RoutingRecordSettings(record.getBoolean("enabled"), interval, sampleSize, maxKeys,
        outcomes.getBoolean("enabled"), lead, tail),
        retention, check);
  }

  private static void require(boolean ok, Config block, String path, String problem) {
    if (!ok) throw new ConfigException.BadValue(block.origin(), path, problem);
  }
}
