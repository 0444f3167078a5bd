package detour.router.whatif;

import detour.persistence.breaker.BreakerEvent;
import detour.persistence.routing.RoutingEvent.ModelSecond;
import detour.persistence.routing.RoutingEvent.OutcomesRecorded;
import detour.providers.breaker.BreakerSettings;
import detour.providers.breaker.BreakerState.Circuit;
import detour.router.config.RouterSettings;
import detour.router.whatif.WhatIfResult.Column;
import detour.router.whatif.WhatIfResult.Episode;
import detour.router.whatif.WhatIfResult.Move;
import detour.router.whatif.WhatIfResult.ScopeStory;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The what-if replay over what the journal holds: the routing record's outcome seconds, cut into
 * episodes (stretches with no gap longer than {@link #EPISODE_GAP}), each replayed per provider
 * with the settings in effect and with the candidate's, beside the breakers' journaled moves. Pure:
 * {@link WhatIfMain} reads the journal and hands the rows over.
 */
public final class WhatIf {
  private WhatIf() {}

  /** Seconds of record further apart than this belong to different episodes. */
  static final Duration EPISODE_GAP = Duration.ofMinutes(5);

  /** Which part of the record to replay. */
  public record Scope(Optional<String> provider, Optional<Instant> from, Optional<Instant> to) {
    boolean admits(String providerName) {
      return provider.isEmpty() || provider.get().equals(providerName);
    }

    boolean admits(Instant second) {
      return from.map(f -> !second.plusSeconds(1).isBefore(f)).orElse(true)
          && to.map(t -> !second.isAfter(t)).orElse(true);
    }
  }

  private record NodeSecond(String node, ModelSecond row) {}

  /**
   * @param breakers every breaker's events, one list per breaker, in journal order
   * @param record every outcome row of every node
   */
  public static WhatIfResult replay(List<List<BreakerEvent>> breakers, List<OutcomesRecorded> record,
      RouterSettings current, RouterSettings candidate, String candidateName, Scope scope) {
    List<NodeSecond> seconds = new ArrayList<>();
    for (OutcomesRecorded rows : record) {
      for (ModelSecond row : rows.seconds()) {
        if (scope.admits(row.model().provider()) && scope.admits(row.at())
            && current.providers().containsKey(row.model().provider())) {
          seconds.add(new NodeSecond(rows.node(), row));
        }
      }
    }
    seconds.sort(Comparator.comparing((NodeSecond s) -> s.row().at()));
    List<BreakerEvent> events = breakers.stream().flatMap(List::stream)
        .filter(e -> scope.admits(e.scope().provider()))
        .sorted(Comparator.comparing(BreakerEvent::at)).toList();
    List<Episode> episodes = new ArrayList<>();
    int first = 0;
    for (int i = 1; i <= seconds.size(); i++) {
      if (i == seconds.size() || Duration.between(seconds.get(i - 1).row().at(), seconds.get(i).row().at())
          .compareTo(EPISODE_GAP) > 0) {
        episodes.add(episode(seconds.subList(first, i), events, current, candidate));
        first = i;
      }
    }
    return new WhatIfResult(candidateName, changes(current, candidate, scope), episodes);
  }

  private static Episode episode(List<NodeSecond> seconds, List<BreakerEvent> events, RouterSettings current,
      RouterSettings candidate) {
    Instant start = seconds.get(0).row().at();
    Instant end = seconds.get(seconds.size() - 1).row().at().plusSeconds(1);
    List<ModelSecond> rows = seconds.stream().map(NodeSecond::row).toList();
    List<String> nodes = seconds.stream().map(NodeSecond::node).distinct().sorted().toList();
    Map<String, TreeSet<String>> modelsByProvider = new LinkedHashMap<>();
    current.models().values().forEach(m ->
        modelsByProvider.computeIfAbsent(m.provider(), p -> new TreeSet<>()).add(m.upstreamModel()));
    rows.forEach(r -> modelsByProvider.computeIfAbsent(r.model().provider(), p -> new TreeSet<>()).add(r.model().model()));
    List<ScopeStory> stories = new ArrayList<>();
    for (String provider : new TreeSet<>(modelsByProvider.keySet())) {
      if (rows.stream().noneMatch(r -> r.model().provider().equals(provider))) continue;
      List<String> models = List.copyOf(modelsByProvider.get(provider));
      BreakerSettings now = current.providers().get(provider).breaker();
      BreakerSettings then = candidate.providers().containsKey(provider)
          ? candidate.providers().get(provider).breaker() : now;
      var asIs = BreakerReplay.replay(provider, now, models, rows, start, end);
      var whatIf = BreakerReplay.replay(provider, then, models, rows, start, end);
      List<String> scopes = new ArrayList<>();
      scopes.add(provider);
      models.forEach(m -> scopes.add(provider + "/" + m));
      for (String key : scopes) {
        Column recorded = recorded(key, events, start, end, asIs.recorded());
        Column replayedNow = replayed(key, asIs);
        Column replayedThen = replayed(key, whatIf);
        boolean moved = !recorded.moves().isEmpty() || !replayedNow.moves().isEmpty()
            || !replayedThen.moves().isEmpty();
        if (moved || (!key.equals(provider) && recorded.calls().failed() > 0)) {
          stories.add(new ScopeStory(key, recorded, replayedNow, replayedThen));
        }
      }
    }
    return new Episode(start, end, nodes, stories);
  }

  private static Column recorded(String key, List<BreakerEvent> events, Instant start, Instant end,
      Map<String, BreakerReplay.Tally> calls) {
    List<Move> moves = new ArrayList<>();
    for (BreakerEvent e : events) {
      if (!e.scope().key().equals(key) || e.at().isBefore(start) || !e.at().isBefore(end)) continue;
      moves.add(move(e));
    }
    boolean open = !moves.isEmpty() && moves.get(moves.size() - 1).circuit() != Circuit.CLOSED;
    return new Column(moves, tally(key, calls), open);
  }

  private static Move move(BreakerEvent e) {
    if (e instanceof BreakerEvent.Tripped t) {
      return new Move(t.at(), Circuit.OPEN, Optional.of(t.evidence().reason().name()));
    } else if (e instanceof BreakerEvent.ProbingStarted p) {
      return new Move(p.at(), Circuit.HALF_OPEN, Optional.empty());
    } else if (e instanceof BreakerEvent.RampAdvanced r) {
      return new Move(r.at(), Circuit.RECOVERING, Optional.of(percent(r.share())));
    } else if (e instanceof BreakerEvent.Recovered r) {
      return new Move(r.at(), Circuit.CLOSED, Optional.empty());
    } else if (e instanceof BreakerEvent.ForcedOpen f) {
      return new Move(f.at(), Circuit.OPEN, Optional.of("forced open by " + f.operator()));
    } else if (e instanceof BreakerEvent.ForcedClosed f) {
      return new Move(f.at(), Circuit.CLOSED, Optional.of("forced closed by " + f.operator()));
    } else if (e instanceof BreakerEvent.Drained d) {
      return new Move(d.at(), Circuit.DRAINED, Optional.of("drained by " + d.operator()));
    } else {
      var reset = (BreakerEvent.Reset) e;
      return new Move(reset.at(), Circuit.CLOSED, Optional.of("reset by " + reset.operator()));
    }
  }

  private static Column replayed(String key, BreakerReplay.Result result) {
    List<Move> moves = result.moves().stream().filter(m -> m.scope().equals(key))
        .map(m -> new Move(m.at(), m.circuit(), m.circuit() == Circuit.OPEN
            ? m.reason().map(Enum::name) : m.circuit() == Circuit.RECOVERING ? Optional.of(percent(m.share()))
            : Optional.empty()))
        .toList();
    return new Column(moves, tally(key, result.replayed()), result.openAtEnd().contains(key));
  }

  /** A model's calls, or for a provider's circuit its models' together. */
  private static BreakerReplay.Tally tally(String key, Map<String, BreakerReplay.Tally> byModel) {
    if (key.contains("/")) return byModel.getOrDefault(key, new BreakerReplay.Tally(0, 0, 0));
    long calls = 0;
    long failed = 0;
    long assumed = 0;
    for (var entry : byModel.entrySet()) {
      if (!entry.getKey().startsWith(key + "/")) continue;
      calls += entry.getValue().calls();
      failed += entry.getValue().failed();
      assumed += entry.getValue().assumed();
    }
    return new BreakerReplay.Tally(calls, failed, assumed);
  }

  private static String percent(double share) {
    return Math.round(share * 100) + "%";
  }

  /** Per provider, the breaker settings the candidate changes, as {@code name: old -> new}. */
  static Map<String, List<String>> changes(RouterSettings current, RouterSettings candidate, Scope scope) {
    Map<String, List<String>> changed = new LinkedHashMap<>();
    for (String provider : new TreeSet<>(current.providers().keySet())) {
      if (!scope.admits(provider) || !candidate.providers().containsKey(provider)) continue;
      BreakerSettings was = current.providers().get(provider).breaker();
      BreakerSettings would = candidate.providers().get(provider).breaker();
      List<String> diffs = new ArrayList<>();
      for (RecordComponent field : BreakerSettings.class.getRecordComponents()) {
        Object a = value(field, was);
        Object b = value(field, would);
        if (!a.equals(b)) diffs.add(kebab(field.getName()) + ": " + readable(a) + " -> " + readable(b));
      }
      if (!diffs.isEmpty()) changed.put(provider, diffs);
    }
    return changed;
  }

  /** {@code consecutiveFaults} as its configuration key, {@code consecutive-faults}. */
  private static String kebab(String name) {
    return name.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
  }

  private static Object value(RecordComponent field, BreakerSettings settings) {
    try {
      return field.getAccessor().invoke(settings);
    } catch (ReflectiveOperationException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  private static String readable(Object value) {
    if (value instanceof Duration d) {
      return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
    return String.valueOf(value);
  }
}
