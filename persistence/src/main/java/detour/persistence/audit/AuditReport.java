package detour.persistence.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.persistence.breaker.BreakerEvent;
import detour.persistence.breaker.BreakerEvent.Overridden;
import detour.persistence.breaker.BreakerEvent.ProbingStarted;
import detour.persistence.breaker.BreakerEvent.RampAdvanced;
import detour.persistence.breaker.BreakerEvent.Recovered;
import detour.persistence.breaker.BreakerEvent.Tripped;
import detour.persistence.breaker.Evidence;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Renders incidents: a table and a timeline per incident for the terminal, and JSON in the stable
 * schema {@code detour.audit/v1} (docs/audit.md) for tools.
 */
public final class AuditReport {
  public static final String SCHEMA = "detour.audit/v1";
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final List<Incident> incidents;
  private final Instant now;

  public AuditReport(List<Incident> incidents, Instant now) {
    this.incidents = List.copyOf(incidents);
    this.now = now;
  }

  public String text() {
    StringBuilder out = new StringBuilder();
    out.append("Detour audit: ").append(incidents.size()).append(incidents.size() == 1 ? " incident" : " incidents")
        .append('\n');
    if (incidents.isEmpty()) return out.append("No breaker opened in the journal (for these filters).\n").toString();
    out.append('\n').append(String.format("%-32s %-24s %-24s %10s %7s  %s%n",
        "BREAKER", "OPENED", "CLOSED", "DURATION", "REOPENS", "CAUSE"));
    for (Incident i : incidents) {
      out.append(String.format("%-32s %-24s %-24s %10s %7d  %s%n", i.scope().key(), TIME.format(i.openedAt()),
          i.closedAt().map(TIME::format).orElse("still open"), seconds(i.duration(now)), i.reopens(), cause(i)));
    }
    for (Incident i : incidents) {
      out.append('\n').append(i.scope().key()).append(", opened ").append(TIME.format(i.openedAt())).append(":\n");
      for (BreakerEvent e : i.events()) {
        out.append("  ").append(TIME.format(e.at())).append("  ").append(describe(e)).append('\n');
      }
    }
    return out.toString();
  }

  public String json() {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = mapper.createObjectNode().put("schema", SCHEMA).put("generated_at", now.toString());
    ArrayNode list = root.putArray("incidents");
    for (Incident i : incidents) {
      ObjectNode node = list.addObject()
          .put("breaker", i.scope().key())
          .put("provider", i.scope().provider());
      node.put("model", i.scope().providerWide() ? null : i.scope().model());
      node.put("opened_at", i.openedAt().toString());
      node.put("closed_at", i.closedAt().map(Instant::toString).orElse(null));
      node.put("duration_ms", i.duration(now).toMillis());
      node.put("reopens", i.reopens());
      node.put("probe_phases", i.probePhases());
      if (i.cause().isPresent()) {
        node.set("cause", evidence(mapper, i.cause().get()));
      } else {
        node.putNull("cause");
      }
      ArrayNode timeline = node.putArray("timeline");
      for (BreakerEvent e : i.events()) timeline.add(eventJson(mapper, e));
    }
    try {
      return mapper.writeValueAsString(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  private static ObjectNode eventJson(ObjectMapper mapper, BreakerEvent e) {
    ObjectNode node = mapper.createObjectNode().put("at", e.at().toString()).put("event", snake(e));
    if (e instanceof Tripped t) {
      node.put("until", t.until().toString()).put("reopens", t.reopens());
      node.set("evidence", evidence(mapper, t.evidence()));
    } else if (e instanceof ProbingStarted p) {
      node.put("probes", p.probes());
    } else if (e instanceof RampAdvanced r) {
      node.put("stage", r.stage()).put("share", r.share()).put("until", r.until().toString());
    } else if (e instanceof Overridden o) {
      if (e instanceof BreakerEvent.ForcedOpen f) node.put("until", f.until().toString());
      node.put("operator", o.operator()).put("reason", o.reason());
    }
    return node;
  }

  /** A trip's evidence in the audit's JSON shape; the admin API shows the same. */
  public static ObjectNode evidence(ObjectMapper mapper, Evidence e) {
    ObjectNode node = mapper.createObjectNode()
        .put("reason", e.reason().name().toLowerCase(Locale.ROOT))
        .put("window_calls", e.windowCalls())
        .put("slow_calls", e.slowCalls())
        .put("consecutive_faults", e.consecutiveFaults())
        .put("consecutive_rate_limits", e.consecutiveRateLimits())
        .put("sample_status", e.sampleStatus())
        .put("sample_message", e.sampleMessage())
        .put("cooldown_ms", e.cooldown().toMillis())
        .put("retry_after_ms", e.retryAfter().toMillis());
    ObjectNode faults = node.putObject("faults_by_class");
    new TreeMap<>(e.faultsByKind()).forEach((kind, n) -> faults.put(kind.name().toLowerCase(Locale.ROOT), n));
    return node;
  }

  private static String describe(BreakerEvent e) {
    if (e instanceof Tripped t) {
      Evidence ev = t.evidence();
      return String.format("OPEN        %s%s, faults %s, cooldown %s%s", ev.reason(),
          t.reopens() > 0 ? " (re-open " + t.reopens() + ")" : "", faults(ev.faultsByKind()), seconds(ev.cooldown()),
          ev.sampleStatus() > 0 ? ", sample " + ev.sampleStatus() + " \"" + ev.sampleMessage() + "\"" : "");
    }
    if (e instanceof ProbingStarted p) return "HALF_OPEN   needs " + p.probes() + " probe(s) in a row";
    if (e instanceof RampAdvanced r) {
      return "RECOVERING  stage " + r.stage() + ": " + Math.round(r.share() * 100) + " % of the traffic";
    }
    if (e instanceof Recovered) return "CLOSED";
    Overridden o = (Overridden) e;
    return String.format("%-11s by %s: %s", e.getClass().getSimpleName().toUpperCase(Locale.ROOT), o.operator(),
        o.reason());
  }

  private static String cause(Incident i) {
    if (i.cause().isEmpty()) {
      return i.overrides().isEmpty() ? "" : "operator " + i.overrides().get(0).operator() + ": " + i.overrides().get(0).reason();
    }
    Evidence e = i.cause().get();
    return e.reason() + " " + faults(e.faultsByKind())
        + (e.sampleStatus() > 0 ? " sample " + e.sampleStatus() : "");
  }

  private static String faults(Map<?, Integer> byKind) {
    return new TreeMap<>(byKind.entrySet().stream().collect(Collectors.toMap(k -> k.getKey().toString(), Map.Entry::getValue)))
        .toString();
  }

  private static String snake(BreakerEvent e) {
    return e.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }
}
