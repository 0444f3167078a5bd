package detour.persistence.audit;

import detour.persistence.breaker.BreakerEvent;
import detour.persistence.breaker.BreakerEvent.Drained;
import detour.persistence.breaker.BreakerEvent.ForcedClosed;
import detour.persistence.breaker.BreakerEvent.ForcedOpen;
import detour.persistence.breaker.BreakerEvent.Overridden;
import detour.persistence.breaker.BreakerEvent.ProbingStarted;
import detour.persistence.breaker.BreakerEvent.RampAdvanced;
import detour.persistence.breaker.BreakerEvent.Recovered;
import detour.persistence.breaker.BreakerEvent.Tripped;
import detour.persistence.routing.RoutingEvent.Sample;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The audit as one self-contained HTML page (inline CSS and SVG; no script, no font, nothing
 * fetched): for each provider and model with an incident or failovers, a picture of its circuit
 * over time (one coloured band per phase, the trips with their cause, the probes marked) and under
 * it the requests that failed over from it per routing record interval; then the table of
 * incidents, each with its timeline. Every time is UTC, ISO-8601.
 *
 * <p>Each band is an SVG {@code rect class="band"} with {@code data-scope}, {@code data-state}
 * ({@code closed}, {@code open}, {@code half_open}, {@code recovering}, {@code drained},
 * {@code pinned_closed}), {@code data-from} and {@code data-to}; each bar a {@code rect class="bar"}
 * with {@code data-scope}, {@code data-kind} ({@code failed_over}, {@code failed_entirely}),
 * {@code data-start} and {@code data-requests}; each marker a {@code g class="marker"} with
 * {@code data-kind} ({@code trip}, {@code probing}, {@code probes_passed}, {@code probe_failed},
 * {@code operator}). Tests and tools can count them.
 */
final class AuditPage {
  private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
      .withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter ISO_SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
      .withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter TICK_TIME = DateTimeFormatter.ofPattern("HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter TICK_DAY = DateTimeFormatter.ofPattern("MM-dd HH:mm'Z'").withZone(ZoneOffset.UTC);

  /** The states a band can show, with their colour and their name in the legend. */
  enum State {
    CLOSED("#8fd19e", "closed: all traffic"),
    OPEN("#d64541", "open: no traffic"),
    HALF_OPEN("#f0a202", "half-open: probing"),
    RECOVERING("#4a86e8", "recovering: ramping back"),
    DRAINED("#7a7a7a", "drained by an operator"),
    PINNED_CLOSED("#9b72cf", "pinned closed by an operator");

    final String colour;
    final String legend;

    State(String colour, String legend) {
      this.colour = colour;
      this.legend = legend;
    }

    String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final String FAILED_OVER = "#1f9e89";
  private static final String FAILED_ENTIRELY = "#7b1e1e";

  // The drawing's geometry, in SVG units (the page scales it to its width).
  private static final int WIDTH = 1200;
  private static final int LEFT = 118;
  private static final int RIGHT = 16;
  private static final int PLOT = WIDTH - LEFT - RIGHT;
  private static final int MARKS_Y = 19;
  private static final int BAND_Y = 31;
  private static final int BAND_H = 30;
  private static final int BARS_Y = 81;
  private static final int BARS_H = 80;
  private static final int AXIS_Y = BARS_Y + BARS_H;
  private static final int HEIGHT = AXIS_Y + 30;

  private final AuditReport report;
  private final Instant from;
  private final Instant to;

  AuditPage(AuditReport report) {
    this.report = report;
    Instant[] range = range(report);
    this.from = range[0];
    this.to = range[1];
  }

  /** The filter's range if given, else every incident's and interval's extent, with a margin. */
  private static Instant[] range(AuditReport report) {
    AuditFilter filter = report.routing().filter();
    Instant first = null;
    Instant last = null;
    for (Incident i : report.incidents()) {
      first = min(first, i.openedAt());
      last = max(last, i.closedAt().orElse(report.now()));
    }
    if (report.routing().first().isPresent()) first = min(first, report.routing().first().get());
    if (report.routing().last().isPresent()) last = max(last, report.routing().last().get());
    if (first == null) {
      first = report.now().minus(Duration.ofHours(1));
      last = report.now();
    }
    Duration margin = Duration.between(first, last).dividedBy(20);
    if (margin.compareTo(Duration.ofSeconds(10)) < 0) margin = Duration.ofSeconds(10);
    Instant start = filter.from().orElse(first.minus(margin));
    Instant end = filter.to().orElse(last.plus(margin));
    if (!end.isAfter(start)) end = start.plusSeconds(60);
    return new Instant[] {start, end};
  }

  String render() {
    StringBuilder html = new StringBuilder(64 * 1024);
    String title = "Detour audit: " + plural(report.incidents().size(), "incident") + ", "
        + ISO_SECONDS.format(from) + " to " + ISO_SECONDS.format(to);
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>").append(esc(title)).append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
    html.append("<header>\n<h1>").append(esc(title)).append("</h1>\n<p class=\"sub\">Generated ")
        .append(ISO.format(report.now())).append(" from the Detour journal (schema ").append(AuditReport.SCHEMA)
        .append("). All times are UTC. ").append(filters()).append("</p>\n");
    html.append("<p class=\"sub\">Routing record: ");
    if (report.routing().intervals() == 0) {
      html.append("no interval with a failover in this range (none happened, or the record is off or past its retention).");
    } else {
      html.append(plural(report.routing().intervals(), "interval")).append(" with failovers or failures. ");
      report.routing().routes().forEach((route, byOutcome) -> html.append("Route <b>").append(esc(route)).append("</b>: ")
          .append(esc(AuditReport.endings(byOutcome))).append(". "));
    }
    html.append("</p>\n");
    legend(html);
    html.append("</header>\n<main>\n");

    Map<String, List<Incident>> byScope = new TreeMap<>();
    for (Incident i : report.incidents()) byScope.computeIfAbsent(i.scope().key(), k -> new ArrayList<>()).add(i);
    Map<String, List<RoutingHistory.Bar>> volume = report.routing().volume();
    // The scopes in the order their first incident opened (the outage's origin first), then those
    // that only saw failovers.
    List<String> scopes = new ArrayList<>();
    report.incidents().stream().map(i -> i.scope().key()).distinct().forEach(scopes::add);
    new TreeSet<>(volume.keySet()).stream().filter(k -> !byScope.containsKey(k)).forEach(scopes::add);
    if (scopes.isEmpty()) {
      html.append("<p class=\"empty\">No breaker opened and no request failed over in this range.</p>\n");
    }
    for (String scope : scopes) {
      scope(html, scope, byScope.getOrDefault(scope, List.of()), volume.getOrDefault(scope, List.of()));
    }
    table(html);
    html.append("</main>\n</body>\n</html>\n");
    return html.toString();
  }

  private String filters() {
    AuditFilter f = report.routing().filter();
    List<String> parts = new ArrayList<>();
    f.provider().ifPresent(p -> parts.add("provider " + esc(p)));
    f.route().ifPresent(r -> parts.add("route " + esc(r) + " (failover figures only)"));
    f.from().ifPresent(t -> parts.add("from " + ISO.format(t)));
    f.to().ifPresent(t -> parts.add("to " + ISO.format(t)));
    return parts.isEmpty() ? "No filter." : "Filters: " + String.join(", ", parts) + ".";
  }

  private static void legend(StringBuilder html) {
    html.append("<div class=\"legend\" aria-label=\"legend\">\n<span class=\"lh\">Circuit</span>");
    for (State s : State.values()) {
      html.append("<span class=\"key\"><svg width=\"22\" height=\"12\"><rect width=\"22\" height=\"12\" fill=\"")
          .append(s.colour).append("\"/></svg>").append(esc(s.legend)).append("</span>");
    }
    html.append("<br>\n<span class=\"lh\">Marks</span>")
        .append("<span class=\"key\"><svg width=\"14\" height=\"12\">").append(triangle(7, 11, "#d64541")).append("</svg>opened (cause)</span>")
        .append("<span class=\"key\"><svg width=\"14\" height=\"12\">").append(cross(7, 6, "#d64541")).append("</svg>probe failed, re-opened</span>")
        .append("<span class=\"key\"><svg width=\"14\" height=\"12\">").append(diamond(7, 6, "#b07800")).append("</svg>probing started</span>")
        .append("<span class=\"key\"><svg width=\"14\" height=\"12\">").append(check(7, 6, "#2e7d32")).append("</svg>probes passed</span>")
        .append("<span class=\"key\"><svg width=\"14\" height=\"12\"><circle cx=\"7\" cy=\"6\" r=\"4\" fill=\"#444\"/></svg>operator</span>")
        .append("<br>\n<span class=\"lh\">Requests</span>")
        .append("<span class=\"key\"><svg width=\"22\" height=\"12\"><rect width=\"22\" height=\"12\" fill=\"").append(FAILED_OVER)
        .append("\"/></svg>failed over, answered by another model</span>")
        .append("<span class=\"key\"><svg width=\"22\" height=\"12\"><rect width=\"22\" height=\"12\" fill=\"").append(FAILED_ENTIRELY)
        .append("\"/></svg>failed entirely (no model answered)</span>")
        .append("<span class=\"note\">one bar per routing record interval</span>\n</div>\n");
  }

  private void scope(StringBuilder html, String scope, List<Incident> incidents, List<RoutingHistory.Bar> bars) {
    long over = 0;
    long failed = 0;
    for (RoutingHistory.Bar b : bars) {
      over += b.failedOver();
      failed += b.failedEntirely();
    }
    Duration out = Duration.ZERO;
    for (Incident i : incidents) out = out.plus(i.duration(report.now()));
    html.append("<section class=\"scope\" data-scope=\"").append(esc(scope)).append("\">\n<h2>")
        .append(esc(scope)).append(scope.contains("/") ? " <small>model</small>" : " <small>provider, every model</small>")
        .append("</h2>\n<p class=\"summary\">").append(plural(incidents.size(), "incident"));
    if (!incidents.isEmpty()) html.append(", out of full service for ").append(AuditReport.seconds(out));
    html.append("; ").append(over).append(" request(s) failed over from it, ").append(failed)
        .append(" failed entirely.</p>\n");
    html.append("<svg class=\"chart\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
        .append("\" role=\"img\" aria-label=\"circuit of ").append(esc(scope)).append(" over time\">\n");
    html.append("<text class=\"axis-label\" x=\"").append(LEFT - 8).append("\" y=\"").append(BAND_Y + BAND_H / 2 + 4)
        .append("\" text-anchor=\"end\">circuit</text>\n");
    html.append("<text class=\"axis-label\" x=\"").append(LEFT - 8).append("\" y=\"").append(BARS_Y + BARS_H / 2)
        .append("\" text-anchor=\"end\">failovers</text>\n");
    html.append("<text class=\"axis-label small\" x=\"").append(LEFT - 8).append("\" y=\"").append(BARS_Y + BARS_H / 2 + 13)
        .append("\" text-anchor=\"end\">per interval</text>\n");
    bands(html, scope, incidents);
    marks(html, incidents);
    bars(html, scope, bars);
    axis(html);
    html.append("</svg>\n</section>\n");
  }

  /** One band per phase, from the range's start (closed) through each incident's events. */
  private void bands(StringBuilder html, String scope, List<Incident> incidents) {
    List<BreakerEvent> events = new ArrayList<>();
    incidents.forEach(i -> events.addAll(i.events()));
    events.sort((a, b) -> a.at().compareTo(b.at()));
    State state = State.CLOSED;
    Instant since = from;
    String note = "";
    double share = 1;
    for (BreakerEvent e : events) {
      band(html, scope, state, since, e.at(), note, share);
      state = after(e);
      note = describe(e);
      share = e instanceof RampAdvanced r ? r.share() : 1;
      since = e.at();
    }
    band(html, scope, state, since, to, note, share);
  }

  /** @param share a ramp stage's share of the traffic: the lower, the paler the band */
  private void band(StringBuilder html, String scope, State state, Instant start, Instant end, String note,
      double share) {
    Instant a = max(start, from);
    Instant b = min(end, to);
    if (!b.isAfter(a)) return;
    double x = x(a);
    double w = Math.max(0.6, x(b) - x);
    html.append("<rect class=\"band\" data-scope=\"").append(esc(scope)).append("\" data-state=\"").append(state.id())
        .append("\" data-from=\"").append(ISO.format(a)).append("\" data-to=\"").append(ISO.format(b))
        .append("\" x=\"").append(f(x)).append("\" y=\"").append(BAND_Y).append("\" width=\"").append(f(w))
        .append("\" height=\"").append(BAND_H).append("\" fill=\"").append(state.colour)
        .append(state == State.RECOVERING ? "\" fill-opacity=\"" + f(0.55 + 0.45 * share) : "").append("\"><title>")
        .append(esc(state.id().toUpperCase(Locale.ROOT) + " " + ISO.format(a) + " to " + ISO.format(b) + " ("
            + AuditReport.seconds(Duration.between(a, b)) + ")" + (note.isEmpty() ? "" : ": " + note)))
        .append("</title></rect>\n");
  }

  private static State after(BreakerEvent e) {
    if (e instanceof Tripped || e instanceof ForcedOpen) return State.OPEN;
    if (e instanceof ProbingStarted) return State.HALF_OPEN;
    if (e instanceof RampAdvanced) return State.RECOVERING;
    if (e instanceof Drained) return State.DRAINED;
    if (e instanceof ForcedClosed) return State.PINNED_CLOSED;
    return State.CLOSED;  // Recovered, Reset
  }

  /** Trips with their cause, probing, probes passed, failed probes, operators' actions. */
  private void marks(StringBuilder html, List<Incident> incidents) {
    double lastLabelEnd = -1;
    for (Incident incident : incidents) {
      BreakerEvent previous = null;
      for (BreakerEvent e : incident.events()) {
        if (e.at().isBefore(from) || e.at().isAfter(to)) {
          previous = e;
          continue;
        }
        double x = x(e.at());
        String kind;
        String shape;
        if (e instanceof Tripped t && previous == null) {
          kind = "trip";
          shape = triangle(x, BAND_Y - 2, "#d64541");
          String label = t.evidence().reason() + (t.evidence().sampleStatus() > 0 ? " " + t.evidence().sampleStatus() : "");
          if (x > lastLabelEnd) {
            html.append("<text class=\"mark-label\" x=\"").append(f(x + 7)).append("\" y=\"").append(MARKS_Y - 9)
                .append("\">").append(esc(label)).append("</text>\n");
            lastLabelEnd = x + 7 + label.length() * 6.2;
          }
        } else if (e instanceof Tripped) {
          kind = "probe_failed";
          shape = cross(x, MARKS_Y + 2, "#d64541");
        } else if (e instanceof ProbingStarted) {
          kind = "probing";
          shape = diamond(x, MARKS_Y + 2, "#b07800");
        } else if ((e instanceof RampAdvanced r && r.stage() == 0) || (e instanceof Recovered && previous instanceof ProbingStarted)) {
          kind = "probes_passed";
          shape = check(x, MARKS_Y + 2, "#2e7d32");
        } else if (e instanceof Overridden) {
          kind = "operator";
          shape = "<circle cx=\"" + f(x) + "\" cy=\"" + (MARKS_Y + 2) + "\" r=\"4\" fill=\"#444\"/>";
        } else {
          previous = e;
          continue;
        }
        html.append("<g class=\"marker\" data-kind=\"").append(kind).append("\" data-at=\"").append(ISO.format(e.at()))
            .append("\">").append(shape).append("<title>").append(esc(ISO.format(e.at()) + " " + describe(e)))
            .append("</title></g>\n");
        previous = e;
      }
    }
  }

  private void bars(StringBuilder html, String scope, List<RoutingHistory.Bar> bars) {
    long top = 0;
    for (RoutingHistory.Bar b : bars) top = Math.max(top, b.failedOver() + b.failedEntirely());
    html.append("<line class=\"grid\" x1=\"").append(LEFT).append("\" x2=\"").append(LEFT + PLOT).append("\" y1=\"")
        .append(AXIS_Y).append("\" y2=\"").append(AXIS_Y).append("\"/>\n");
    if (top == 0) {
      html.append("<text class=\"empty-chart\" x=\"").append(LEFT + PLOT / 2).append("\" y=\"").append(BARS_Y + BARS_H / 2)
          .append("\" text-anchor=\"middle\">no request failed over from it in this range</text>\n");
      return;
    }
    html.append("<line class=\"grid\" x1=\"").append(LEFT).append("\" x2=\"").append(LEFT + PLOT).append("\" y1=\"")
        .append(BARS_Y).append("\" y2=\"").append(BARS_Y).append("\"/>\n");
    html.append("<text class=\"axis-label small\" x=\"").append(LEFT - 4).append("\" y=\"").append(BARS_Y + 4)
        .append("\" text-anchor=\"end\">").append(top).append("</text>\n");
    html.append("<text class=\"axis-label small\" x=\"").append(LEFT - 4).append("\" y=\"").append(AXIS_Y)
        .append("\" text-anchor=\"end\">0</text>\n");
    for (RoutingHistory.Bar b : bars) {
      Instant a = max(b.start(), from);
      Instant z = min(b.end(), to);
      if (!z.isAfter(a)) continue;
      double x = x(a);
      double w = Math.max(1.0, x(z) - x - (x(z) - x > 3 ? 1 : 0));
      double hOver = BARS_H * (double) b.failedOver() / top;
      double hFailed = BARS_H * (double) b.failedEntirely() / top;
      String when = ISO.format(b.start()) + " to " + ISO.format(b.end()) + ": ";
      if (b.failedOver() > 0) {
        bar(html, scope, "failed_over", b, x, AXIS_Y - hOver, w, hOver, FAILED_OVER,
            when + b.failedOver() + " request(s) failed over");
      }
      if (b.failedEntirely() > 0) {
        bar(html, scope, "failed_entirely", b, x, AXIS_Y - hOver - hFailed, w, hFailed, FAILED_ENTIRELY,
            when + b.failedEntirely() + " request(s) failed entirely");
      }
    }
  }

  private static void bar(StringBuilder html, String scope, String kind, RoutingHistory.Bar b, double x, double y, double w,
      double h, String colour, String title) {
    long n = kind.equals("failed_over") ? b.failedOver() : b.failedEntirely();
    html.append("<rect class=\"bar\" data-scope=\"").append(esc(scope)).append("\" data-kind=\"").append(kind)
        .append("\" data-start=\"").append(ISO.format(b.start())).append("\" data-requests=\"").append(n)
        .append("\" x=\"").append(f(x)).append("\" y=\"").append(f(y)).append("\" width=\"").append(f(w))
        .append("\" height=\"").append(f(Math.max(h, 0.8))).append("\" fill=\"").append(colour).append("\"><title>")
        .append(esc(title)).append("</title></rect>\n");
  }

  /** Ticks at a round step, five to ten of them, labelled in UTC. */
  private void axis(StringBuilder html) {
    long span = Duration.between(from, to).toMillis();
    long[] steps = {1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000,
        3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000, 172_800_000, 604_800_000};
    long step = steps[steps.length - 1];
    for (long s : steps) {
      if (span / s <= 8) {
        step = s;
        break;
      }
    }
    boolean days = span > 86_400_000L || !from.truncatedTo(ChronoUnit.DAYS).equals(to.truncatedTo(ChronoUnit.DAYS));
    long first = (from.toEpochMilli() / step + 1) * step;
    for (long t = first; t < to.toEpochMilli(); t += step) {
      double x = x(Instant.ofEpochMilli(t));
      html.append("<line class=\"tick\" x1=\"").append(f(x)).append("\" x2=\"").append(f(x)).append("\" y1=\"")
          .append(BAND_Y).append("\" y2=\"").append(AXIS_Y + 4).append("\"/>\n");
      html.append("<text class=\"tick-label\" x=\"").append(f(x)).append("\" y=\"").append(AXIS_Y + 17)
          .append("\" text-anchor=\"middle\">")
          .append((days ? TICK_DAY : TICK_TIME).format(Instant.ofEpochMilli(t))).append("</text>\n");
    }
  }

  private void table(StringBuilder html) {
    html.append("<section class=\"table\">\n<h2>Incidents</h2>\n");
    if (report.incidents().isEmpty()) {
      html.append("<p class=\"empty\">No breaker opened in this range.</p>\n</section>\n");
      return;
    }
    html.append("<table class=\"incidents\">\n<thead><tr><th>Breaker</th><th>Opened (UTC)</th><th>Closed (UTC)</th>")
        .append("<th>Duration</th><th>Re-opens</th><th>Cause</th><th>Failed over, to</th><th>Failed entirely</th>")
        .append("<th>Sample requests</th></tr></thead>\n<tbody>\n");
    for (Incident i : report.incidents()) {
      IncidentRouting r = report.routing().of(i);
      html.append("<tr data-scope=\"").append(esc(i.scope().key())).append("\"><td>").append(esc(i.scope().key()))
          .append("</td><td class=\"time\">").append(ISO.format(i.openedAt())).append("</td><td class=\"time\">")
          .append(i.closedAt().map(ISO::format).orElse("<b>still open</b>")).append("</td><td class=\"num\">")
          .append(AuditReport.seconds(i.duration(report.now()))).append("</td><td class=\"num\">").append(i.reopens())
          .append("</td><td>").append(esc(AuditReport.cause(i))).append("</td><td>").append(r.failedOver());
      if (r.failedOver() > 0) {
        html.append(": ").append(esc(AuditReport.counts(r.failedOverTo()))).append("<br><small>")
            .append(esc(AuditReport.causes(r.failedOverByCause()))).append("</small>");
      }
      html.append("</td><td class=\"num\">").append(r.failedEntirely()).append("</td><td><small>");
      for (Sample s : r.samples()) {
        html.append("<span title=\"").append(esc(String.join(" ", s.attempts()))).append("\">").append(esc(s.requestId()))
            .append(" (").append(esc(s.outcome().journalName())).append(")</span><br>");
      }
      html.append("</small></td></tr>\n");
    }
    html.append("</tbody>\n</table>\n");
    for (Incident i : report.incidents()) {
      html.append("<details><summary>").append(esc(i.scope().key())).append(", opened ").append(ISO.format(i.openedAt()))
          .append("</summary>\n<table class=\"timeline\"><tbody>\n");
      for (BreakerEvent e : i.events()) {
        html.append("<tr><td class=\"time\">").append(ISO.format(e.at())).append("</td><td>").append(esc(describe(e)))
            .append("</td></tr>\n");
      }
      for (Sample s : report.routing().of(i).samples()) {
        html.append("<tr><td>sample ").append(esc(s.requestId())).append("</td><td>").append(esc(s.route())).append(' ')
            .append(esc(s.outcome().journalName())).append(" [").append(esc(String.join(" ", s.attempts())))
            .append("]</td></tr>\n");
      }
      html.append("</tbody></table>\n</details>\n");
    }
    html.append("</section>\n");
  }

  private static String describe(BreakerEvent e) {
    return AuditReport.describe(e).replaceAll(" {2,}", " ");
  }

  private double x(Instant t) {
    double span = Duration.between(from, to).toMillis();
    return LEFT + PLOT * (Duration.between(from, t).toMillis() / span);
  }

  private static String triangle(double x, double y, String fill) {
    return "<path d=\"M" + f(x - 6) + " " + f(y - 10) + " L" + f(x + 6) + " " + f(y - 10) + " L" + f(x) + " " + f(y)
        + " Z\" fill=\"" + fill + "\"/>";
  }

  private static String cross(double x, double y, String stroke) {
    return "<path d=\"M" + f(x - 4) + " " + f(y - 4) + " L" + f(x + 4) + " " + f(y + 4) + " M" + f(x + 4) + " " + f(y - 4)
        + " L" + f(x - 4) + " " + f(y + 4) + "\" stroke=\"" + stroke + "\" stroke-width=\"2.5\"/>";
  }

  private static String diamond(double x, double y, String fill) {
    return "<path d=\"M" + f(x) + " " + f(y - 5) + " L" + f(x + 5) + " " + f(y) + " L" + f(x) + " " + f(y + 5) + " L"
        + f(x - 5) + " " + f(y) + " Z\" fill=\"" + fill + "\"/>";
  }

  private static String check(double x, double y, String stroke) {
    return "<path d=\"M" + f(x - 4) + " " + f(y) + " L" + f(x - 1) + " " + f(y + 4) + " L" + f(x + 5) + " " + f(y - 5)
        + "\" stroke=\"" + stroke + "\" stroke-width=\"2.5\" fill=\"none\"/>";
  }

  private static String f(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static String plural(long n, String what) {
    return n + " " + what + (n == 1 ? "" : "s");
  }

  static String esc(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  private static Instant min(Instant a, Instant b) {
    return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
  }

  private static Instant max(Instant a, Instant b) {
    return a == null ? b : b == null ? a : a.isAfter(b) ? a : b;
  }

  private static final String CSS = """
      :root { color-scheme: light; }
      body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1d2330;
             margin: 0; background: #f6f7f9; }
      header { background: #fff; border-bottom: 1px solid #dde1e7; padding: 16px 28px 10px; }
      main { padding: 8px 28px 40px; }
      h1 { font-size: 20px; margin: 0 0 4px; }
      h2 { font-size: 16px; margin: 0 0 2px; }
      h2 small { font-weight: normal; color: #5b6473; font-size: 12px; }
      .sub { margin: 2px 0; color: #4a5262; font-size: 13px; }
      .legend { margin: 8px 0 2px; font-size: 12.5px; color: #333; line-height: 2; }
      .legend .lh { display: inline-block; width: 72px; font-weight: 600; color: #5b6473; }
      .legend .key { margin-right: 16px; white-space: nowrap; }
      .legend .key svg { vertical-align: -2px; margin-right: 5px; }
      .legend .note { color: #6b7380; font-style: italic; }
      section.scope { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 10px 14px 4px;
                      margin: 14px 0; }
      .summary { margin: 0; color: #4a5262; font-size: 13px; }
      svg.chart { width: 100%; height: auto; display: block; }
      .axis-label { font-size: 12px; fill: #4a5262; }
      .axis-label.small { font-size: 10.5px; fill: #6b7380; }
      .tick { stroke: #c4c9d2; stroke-width: 0.6; stroke-dasharray: 2 3; }
      .grid { stroke: #8a93a3; stroke-width: 0.8; }
      .tick-label { font-size: 11px; fill: #4a5262; }
      .mark-label { font-size: 11px; fill: #9a2622; font-weight: 600; }
      .empty-chart { font-size: 12px; fill: #8a93a3; font-style: italic; }
      section.table { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 10px 14px; margin: 14px 0; }
      table { border-collapse: collapse; width: 100%; font-size: 12.5px; }
      th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #e6e9ee; vertical-align: top; }
      th { background: #f0f2f5; font-weight: 600; }
      td.num, td.time { text-align: right; white-space: nowrap; }
      td.time { text-align: left; font-variant-numeric: tabular-nums; }
      details { margin: 6px 0; font-size: 12.5px; }
      summary { cursor: pointer; color: #2b4f8a; }
      table.timeline td:first-child { white-space: nowrap; color: #4a5262; width: 1%; }
      .empty { color: #6b7380; font-style: italic; }
      """;
}
