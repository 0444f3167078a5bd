package detour.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * What both open-loop drivers report, in one format: the run's description, what was sent and
 * what came back, latency percentiles; written as JSON (read by {@code summary.py}) and, on
 * request, as an HdrHistogram log.
 *
 * @param intended requests the phases called for
 * @param ok answers with a 2xx status
 * @param failed answers with another status, and requests lost with their connection
 * @param transportErrors requests lost with their connection
 * @param unfinished requests still without an answer when the run ended
 * @param statuses answers by status
 * @param retryAfter503 503s that carried Retry-After
 * @param seconds the run's length, drain included
 * @param sendSeconds how long the phases lasted
 * @param sendLagMaxMs how late the driver noticed a request was due, at most
 * @param maxInFlight the most requests outstanding at once
 */
record DriverReport(long intended, long ok, long failed, long transportErrors, long unfinished,
    Map<Integer, Long> statuses, long retryAfter503, double seconds, double sendSeconds, double sendLagMaxMs,
    long maxInFlight) {

  /** The report's common fields, then the latency percentiles of {@code okAll} and {@code failedAll}. */
  ObjectNode toJson(ObjectMapper mapper, String label, String url, String tool, int connections, List<double[]> phases,
      boolean stream, Histogram okAll, Histogram failedAll) {
    ObjectNode result = mapper.createObjectNode();
    result.put("label", label);
    result.put("url", url);
    result.put("tool", tool);
    result.put("connections", connections);
    ArrayNode ph = result.putArray("phases");
    for (double[] p : phases) ph.addObject().put("rate", p[0]).put("seconds", p[1]);
    result.put("stream", stream);
    result.put("intended", intended);
    result.put("completed", ok + failed);
    result.put("ok", ok);
    result.put("unfinished", unfinished);
    result.put("transport_errors", transportErrors);
    ObjectNode st = result.putObject("statuses");
    statuses.forEach((k, v) -> st.put(String.valueOf(k), v));
    result.put("retry_after_on_503", retryAfter503);
    long notOk = intended - ok;
    result.put("errors", notOk);
    result.put("error_rate", intended == 0 ? 0 : (double) notOk / intended);
    result.put("success_rate", intended == 0 ? 0 : (double) ok / intended);
    result.put("achieved_rps", ok / Math.max(1e-9, seconds));
    result.put("send_seconds", sendSeconds);
    result.put("send_lag_max_ms", sendLagMaxMs);
    result.put("max_in_flight_seen", maxInFlight);
    result.set("latency_ms", percentiles(mapper, okAll));
    result.set("failed_latency_ms", percentiles(mapper, failedAll));
    return result;
  }

  /** Count, p50, p90, p99, p99.9, max and mean of a histogram of microseconds, in milliseconds. */
  static ObjectNode percentiles(ObjectMapper mapper, Histogram h) {
    ObjectNode n = mapper.createObjectNode();
    n.put("count", h.getTotalCount());
    n.put("p50", h.getValueAtPercentile(50) / 1000.0);
    n.put("p90", h.getValueAtPercentile(90) / 1000.0);
    n.put("p99", h.getValueAtPercentile(99) / 1000.0);
    n.put("p999", h.getValueAtPercentile(99.9) / 1000.0);
    n.put("max", h.getMaxValue() / 1000.0);
    n.put("mean", h.getTotalCount() == 0 ? 0 : h.getMean() / 1000.0);
    return n;
  }

  /** Writes the JSON to {@code out}, or to stdout when there is none. */
  static void write(ObjectMapper mapper, ObjectNode result, Path out) throws IOException {
    String json = mapper.writerWithDefaultPrettyPrinter().writeValueAsString(result);
    if (out != null) {
      Files.writeString(out, json);
    } else {
      System.out.println(json);
    }
  }

  /** Writes each histogram, under its tag, to an HdrHistogram log (microseconds). */
  static void hdrLog(Path file, String label, String url, Map<String, Histogram> byTag) throws IOException {
    try (PrintStream log = new PrintStream(Files.newOutputStream(file))) {
      HistogramLogWriter writer = new HistogramLogWriter(log);
      writer.outputComment("label=" + label + " url=" + url + " unit=microseconds");
      writer.outputLogFormatVersion();
      writer.outputLegend();
      for (var tagged : byTag.entrySet()) {
        tagged.getValue().setTag(tagged.getKey());
        writer.outputIntervalHistogram(tagged.getValue());
      }
    }
  }
}
