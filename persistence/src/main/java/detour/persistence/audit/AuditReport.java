package detour.persistence.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.persistence.LogText;
import detour.persistence.breaker.BreakerEvent;
import detour.persistence.breaker.BreakerEvent.Overridden;
import detour.persistence.breaker.BreakerEvent.ProbingStarted;
import detour.persistence.breaker.BreakerEvent.RampAdvanced;
import detour.persistence.breaker.BreakerEvent.Recovered;
import detour.persistence.breaker.BreakerEvent.Tripped;
import detour.persistence.breaker.Evidence;
import detour.persistence.routing.Ending;
import detour.persistence.routing.PassCause;
import detour.persistence.routing.RoutingEvent.Sample;
import java.io.IOException;
import java.io.Writer;
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
 * Renders incidents and what the routing record says of them: a table and a timeline per incident
 * for the terminal, JSON in the stable schema {@code detour.audit/v1} (docs/audit.md) for tools,
 * and one self-contained HTML page ({@link AuditPage}) for people who were not there. The text
 * writes every journaled string through {@link LogText#escape}: an older journal may hold an
 * operator's reason with a line break or a terminal escape in it, which must not forge a line or
 * drive the reader's terminal.
 */
public final class AuditReport {
  public static final String SCHEMA = "detour.audit/v1";
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final List<Incident> incidents;
  private final RoutingHistory routing;
  private final Instant now;

  /** Incidents alone, with no routing record read. */
  public AuditReport(List<Incident> incidents, Instant now) {
    this(incidents, RoutingHistory.none(incidents, now), now);
  }

  public AuditReport(List<Incident> incidents, RoutingHistory routing, Instant now) {
    this.incidents = List.copyOf(incidents);
    this.routing = routing;
    this.now = now;
  }

  public List<Incident> incidents() {
    return incidents;
  }

  public RoutingHistory routing() {
    return routing;
  }

  public Instant now() {
    return now;
  }

  /** The self-contained HTML page: one file, inline CSS and SVG, nothing fetched. */
  public String html() {
    return new AuditPage(this).render();
  }

  public String text() {
    var out = new java.io.StringWriter();
    try {
      writeText(out);
    } catch (IOException impossible) {
      throw new IllegalStateException(impossible);
    }
    return out.toString();
  }

  /** Writes the text report, one incident at a time. */
  public void writeText(Writer writer) throws IOException {
    StringBuilder out = new StringBuilder();
    out.append("Detour audit: ").append(incidents.size()).append(incidents.size() == 1 ? " incident" : " incidents");
    routing.filter().route().ifPresent(r -> out.append(", routing of route ").append(LogText.escape(r)));
    out.append('\n');
    if (incidents.isEmpty()) {
      out.append("No breaker opened in the journal (for these filters).\n");
    } else {
      out.append('\n').append(String.format("%-32s %-24s %-24s %10s %7s %11s %7s  %s%n",
          "BREAKER", "OPENED", "CLOSED", "DURATION", "REOPENS", "FAILED OVER", "FAILED", "CAUSE"));
      for (Incident i : incidents) {
        IncidentRouting r = routing.of(i);
        out.append(String.format("%-32s %-24s %-24s %10s %7d %11d %7d  %s%n", LogText.escape(i.scope().key()),
            TIME.format(i.openedAt()),
            i.closedAt().map(TIME::format).orElse("still open"), seconds(i.duration(now)), i.reopens(),
            r.failedOver(), r.failedEntirely(), cause(i)));
      }
      for (Incident i : incidents) {
        writer.append(out);
        out.setLength(0);
        out.append('\n').append(LogText.escape(i.scope().key())).append(", opened ").append(TIME.format(i.openedAt())).append(":\n");
        for (BreakerEvent e : i.events()) {
          out.append("  ").append(TIME.format(e.at())).append("  ").append(describe(e)).append('\n');
        }
        routingLines(out, routing.of(i));
      }
    }
    out.append('\n');
    if (routing.intervals() == 0) {
      out.append("Routing record: no interval in the journal for these filters (no failover recorded, or the record is"
          + " off or past its retention).\n");
    } else {
      out.append("Routing record: ").append(routing.intervals()).append(routing.intervals() == 1 ? " interval" : " intervals")
          .append(" with failovers or failures, ").append(TIME.format(routing.first().orElseThrow())).append(" to ")
          .append(TIME.format(routing.last().orElseThrow())).append('\n');
      routing.routes().forEach((route, byOutcome) -> out.append("  route ").append(LogText.escape(route)).append(": ")
          .append(byOutcome.entrySet().stream().map(e -> e.getValue() + " " + e.getKey().journalName())
              .collect(Collectors.joining(", ")))
          .append('\n'));
      if (routing.otherFailovers() + routing.otherOutcomes() > 0) {
        out.append("  beyond max-keys, counted as other: ").append(routing.otherFailovers()).append(" failover(s), ")
            .append(routing.otherOutcomes()).append(" request(s)\n");
      }
    }
    writer.append(out);
  }

  private static void routingLines(StringBuilder out, IncidentRouting r) {
    if (r.failedOver() + r.failedEntirely() == 0) {
      out.append("  routing: no failover recorded during it\n");
      return;
    }
    out.append("  routing: ").append(r.failedOver()).append(" request(s) failed over");
    if (r.failedOver() > 0) {
      out.append(" to ").append(counts(r.failedOverTo())).append(" (").append(causes(r.failedOverByCause())).append(')');
    }
    out.append("; ").append(r.failedEntirely()).append(" failed entirely");
    if (r.failedEntirely() > 0) out.append(" (").append(causes(r.failedEntirelyByCause())).append(')');
    out.append('\n');
    for (Sample sample : r.samples()) {
      out.append("  sample ").append(LogText.escape(sample.requestId())).append(' ')
          .append(LogText.escape(sample.route())).append(' ').append(LogText.escape(sample.outcome().journalName())).append(" [")
          .append(LogText.escape(String.join(" ", sample.attempts()))).append("]\n");
    }
  }

  /** {@code b/model-b 790, c/model-c 22}, the largest first. */
  static String counts(Map<String, Long> byKey) {
    return byKey.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .map(e -> LogText.escape(e.getKey()) + " " + e.getValue())
        .collect(Collectors.joining(", "));
  }

  /** As {@link #counts}, for causes: in lower case, as the JSON writes them. */
  static String causes(Map<PassCause, Long> byCause) {
    Map<String, Long> lower = new TreeMap<>();
    byCause.forEach((cause, n) -> lower.merge(cause.name().toLowerCase(Locale.ROOT), n, Long::sum));
    return counts(lower);
  }

  /** As {@link #counts}, for a route's requests by how they ended. */
  static String endings(Map<Ending, Long> byEnding) {
    Map<String, Long> named = new TreeMap<>();
    byEnding.forEach((ending, n) -> named.put(ending.journalName(), n));
    return counts(named);
  }

  public String json() {
    var out = new java.io.StringWriter();
    try {
      writeJson(out);
    } catch (IOException impossible) {
      throw new IllegalStateException(impossible);
    }
    return out.toString();
  }

  /**
   * Writes the JSON report, one incident at a time: a month of incidents is too large to build as
   * one string first.
   */
  public void writeJson(Writer out) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    try (JsonGenerator json = mapper.getFactory().createGenerator(out).useDefaultPrettyPrinter()) {
      json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      json.writeStartObject();
      json.writeStringField("schema", SCHEMA);
      json.writeStringField("generated_at", now.toString());
      json.writeStringField("route", routing.filter().route().orElse(null));
      json.writeNumberField("routing_intervals", routing.intervals());
      ObjectNode routes = mapper.createObjectNode();
      routing.routes().forEach((route, byOutcome) -> {
        ObjectNode node = routes.putObject(route);
        byOutcome.forEach((ending, n) -> node.put(ending.journalName(), n));
      });
      json.writeFieldName("routes");
      mapper.writeTree(json, routes);
      if (routing.otherOutcomes() > 0) json.writeNumberField("routes_other", routing.otherOutcomes());
      json.writeArrayFieldStart("incidents");
      for (Incident i : incidents) mapper.writeTree(json, incidentJson(mapper, i));
      json.writeEndArray();
      json.writeEndObject();
    }
  }

  private ObjectNode incidentJson(ObjectMapper mapper, Incident i) {
    ObjectNode node = mapper.createObjectNode()
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
    node.set("routing", routingJson(mapper, routing.of(i)));
    return node;
  }

  private static ObjectNode routingJson(ObjectMapper mapper, IncidentRouting r) {
    ObjectNode node = mapper.createObjectNode().put("failed_over", r.failedOver());
    ObjectNode to = node.putObject("failed_over_to");
    r.failedOverTo().forEach(to::put);
    ObjectNode causes = node.putObject("failed_over_by_cause");
    r.failedOverByCause().forEach((cause, n) -> causes.put(cause.name().toLowerCase(Locale.ROOT), n));
    node.put("failed_entirely", r.failedEntirely());
    ObjectNode failedCauses = node.putObject("failed_entirely_by_cause");
    r.failedEntirelyByCause().forEach((cause, n) -> failedCauses.put(cause.name().toLowerCase(Locale.ROOT), n));
    ObjectNode routes = node.putObject("routes");
    r.byRoute().forEach((route, n) -> routes.putObject(route).put("failed_over", n[0]).put("failed_entirely", n[1]));
    ArrayNode samples = node.putArray("sample_requests");
    for (Sample sample : r.samples()) {
      ObjectNode s = samples.addObject().put("request_id", sample.requestId()).put("route", sample.route())
          .put("outcome", sample.outcome().journalName());
      ArrayNode attempts = s.putArray("attempts");
      sample.attempts().forEach(attempts::add);
    }
    return node;
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

  static String describe(BreakerEvent e) {
    if (e instanceof Tripped t) {
      Evidence ev = t.evidence();
      return String.format("OPEN        %s%s, faults %s, cooldown %s%s", ev.reason(),
          t.reopens() > 0 ? " (re-open " + t.reopens() + ")" : "", faults(ev.faultsByKind()), seconds(ev.cooldown()),
          ev.sampleStatus() > 0 ? ", sample " + ev.sampleStatus() + " \"" + LogText.escape(ev.sampleMessage()) + "\"" : "");
    }
    if (e instanceof ProbingStarted p) return "HALF_OPEN   needs " + p.probes() + " probe(s) in a row";
    if (e instanceof RampAdvanced r) {
      return "RECOVERING  stage " + r.stage() + ": " + Math.round(r.share() * 100) + " % of the traffic";
    }
    if (e instanceof Recovered) return "CLOSED";
    Overridden o = (Overridden) e;
    return String.format("%-11s by %s: %s", e.getClass().getSimpleName().toUpperCase(Locale.ROOT),
        LogText.escape(o.operator()), LogText.escape(o.reason()));
  }

  static String cause(Incident i) {
    if (i.cause().isEmpty()) {
      return i.overrides().isEmpty() ? ""
          : "operator " + LogText.escape(i.overrides().get(0).operator()) + ": "
              + LogText.escape(i.overrides().get(0).reason());
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

  static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }
}
