package detour.router.whatif;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.providers.breaker.BreakerState.Circuit;
import detour.router.whatif.WhatIfResult.Column;
import detour.router.whatif.WhatIfResult.Episode;
import detour.router.whatif.WhatIfResult.Move;
import detour.router.whatif.WhatIfResult.ScopeStory;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** The what-if replay as a terminal table (three columns side by side) or as JSON. */
public final class WhatIfReport {
  private WhatIfReport() {}

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final int WIDTH = 40;
  private static final int LABEL = 18;

  public static String text(WhatIfResult result) {
    StringBuilder out = new StringBuilder();
    out.append("What-if replay: ").append(result.candidate()).append(" against the settings in effect\n");
    if (result.changed().isEmpty()) {
      out.append("The candidate changes no breaker setting: both replays should agree.\n");
    } else {
      result.changed().forEach((provider, diffs) ->
          out.append("  ").append(provider).append(": ").append(String.join(", ", diffs)).append('\n'));
    }
    if (result.episodes().isEmpty()) {
      out.append("\nThe routing record holds no outcome seconds in this range: nothing to replay.\n"
          + "(They are written around trouble, with detour.journal.routing-record.outcomes on.)\n");
      return out.toString();
    }
    for (Episode episode : result.episodes()) {
      long seconds = episode.end().getEpochSecond() - episode.start().getEpochSecond();
      out.append("\nEpisode ").append(DAY.format(episode.start())).append(" to ").append(DAY.format(episode.end()))
          .append(" UTC: ").append(seconds).append(" s of recorded outcomes from ")
          .append(String.join(", ", episode.nodes())).append('\n');
      if (episode.scopes().isEmpty()) out.append("  No circuit moved, in the journal or in either replay.\n");
      for (ScopeStory story : episode.scopes()) story(out, story, episode.end());
    }
    out.append("\nReplayed calls take the outcomes the record shows for their second; \"assumed\" calls fall in\n"
        + "seconds nobody called the model (its circuit was open) and take the nearest observed second's.\n"
        + "Replayed cooldowns have no jitter: the journal's differ from them by up to cooldown-jitter.\n");
    return out.toString();
  }

  private static void story(StringBuilder out, ScopeStory story, Instant end) {
    out.append("\n  ").append(story.scope()).append(story.scope().contains("/") ? " (model circuit)" : " (provider circuit)")
        .append('\n');
    row(out, "", "recorded (journal)", "replayed, settings in effect", "replayed, candidate");
    int moves = Math.max(story.recorded().moves().size(),
        Math.max(story.current().moves().size(), story.candidate().moves().size()));
    for (int i = 0; i < moves; i++) {
      row(out, "", move(story.recorded(), i), move(story.current(), i), move(story.candidate(), i));
    }
    if (moves == 0) row(out, "", "stayed closed", "stayed closed", "stayed closed");
    row(out, "not closed for", notClosed(story.recorded(), end), notClosed(story.current(), end),
        notClosed(story.candidate(), end));
    row(out, "calls sent", Long.toString(story.recorded().calls().calls()), Long.toString(story.current().calls().calls()),
        Long.toString(story.candidate().calls().calls()));
    row(out, "  of them failed", Long.toString(story.recorded().calls().failed()), failed(story.current().calls()),
        failed(story.candidate().calls()));
  }

  private static String failed(BreakerReplay.Tally tally) {
    return tally.failed() + (tally.assumed() > 0 ? " (" + tally.assumed() + " calls assumed)" : "");
  }

  private static String notClosed(Column column, Instant end) {
    long millis = column.notClosedMillis(end);
    String time = String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    return column.openAtEnd() ? time + ", still not closed" : time;
  }

  private static String move(Column column, int i) {
    if (i >= column.moves().size()) return "";
    Move move = column.moves().get(i);
    String what = switch (move.circuit()) {
      case OPEN -> "open";
      case HALF_OPEN -> "half-open";
      case RECOVERING -> "ramp";
      case CLOSED -> "closed";
      case DRAINED -> "drained";
    };
    return TIME.format(move.at()) + " " + what + move.detail().map(d -> " " + d.toLowerCase(Locale.ROOT)).orElse("");
  }

  private static void row(StringBuilder out, String label, String a, String b, String c) {
    out.append("    ").append(pad(label, LABEL)).append(pad(a, WIDTH)).append(pad(b, WIDTH)).append(c).append('\n');
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s + "  " : s + " ".repeat(width - s.length());
  }

  // ---- JSON --------------------------------------------------------------------------------

  /** Stable names, in snake_case like the audit's JSON; schema in docs/audit.md. */
  public static ObjectNode json(WhatIfResult result, ObjectMapper mapper) {
    ObjectNode root = mapper.createObjectNode();
    root.put("candidate", result.candidate());
    ObjectNode changed = root.putObject("changed");
    result.changed().forEach((provider, diffs) -> diffs.forEach(changed.putArray(provider)::add));
    ArrayNode episodes = root.putArray("episodes");
    for (Episode episode : result.episodes()) {
      ObjectNode e = episodes.addObject();
      e.put("start", episode.start().toString());
      e.put("end", episode.end().toString());
      episode.nodes().forEach(e.putArray("nodes")::add);
      ArrayNode scopes = e.putArray("scopes");
      for (ScopeStory story : episode.scopes()) {
        ObjectNode s = scopes.addObject();
        s.put("scope", story.scope());
        column(s.putObject("recorded"), story.recorded(), episode.end());
        column(s.putObject("current"), story.current(), episode.end());
        column(s.putObject("candidate"), story.candidate(), episode.end());
      }
    }
    return root;
  }

  private static void column(ObjectNode node, Column column, Instant end) {
    ArrayNode moves = node.putArray("moves");
    for (Move move : column.moves()) {
      ObjectNode m = moves.addObject();
      m.put("at", move.at().toString());
      m.put("circuit", move.circuit().name().toLowerCase(Locale.ROOT));
      move.detail().ifPresent(d -> m.put("detail", d));
    }
    node.put("not_closed_ms", column.notClosedMillis(end));
    node.put("open_at_end", column.openAtEnd());
    node.put("calls", column.calls().calls());
    node.put("failed", column.calls().failed());
    node.put("assumed", column.calls().assumed());
  }

  /** For tests: the circuits of a column in order. */
  static List<Circuit> circuits(Column column) {
    return column.moves().stream().map(Move::circuit).toList();
  }
}
