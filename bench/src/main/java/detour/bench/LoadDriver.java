package detour.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * An open-loop HTTP load driver for {@code scripts/detour bench}: it sends POSTs at a fixed rate
 * whatever the latency, each at its intended time (computed from the start, never from the previous
 * answer), and records every latency from that intended time, so a slow server is not hidden by a
 * driver that waits for it (no coordinated omission). When the driver itself falls behind, the lag
 * is part of the latency and its maximum is reported ({@code send_lag_max_ms}).
 *
 * <p>Non-streamed: latency = intended send to the whole answer read. Streamed ({@code --stream}):
 * time to the first content chunk (a {@code data:} line with a non-empty {@code "content"}), the
 * gaps between content chunks, and the chunks received against {@code --expect-chunks}; a stream
 * stalls when one gap exceeds {@code --stall-ms} or it ends short.
 *
 * <p>Usage: {@code LoadDriver --url URL --body FILE --phase RATE:SECONDS [--phase ...] [--header
 * K:V] [--stream --expect-chunks N --stall-ms MS] [--pid PID] [--drain SECONDS] [--out FILE]
 * [--hdr-log FILE] [--label TEXT] [--connections N]}. It writes one JSON object (to {@code --out}, else stdout).
 * {@code --pid}: a process whose RSS and CPU time are sampled during the run (the server measured).
 */
public final class LoadDriver {
  private static final Pattern CONTENT = Pattern.compile("\"content\"\\s*:\\s*\"[^\"]");
  private static final long HIGHEST_US = TimeUnit.MINUTES.toMicros(10);
  private static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  private final Recorder ok = new Recorder(HIGHEST_US, 3);
  private final Recorder failed = new Recorder(HIGHEST_US, 3);
  private final Recorder ttft = new Recorder(HIGHEST_US, 3);
  private final Recorder gaps = new Recorder(HIGHEST_US, 3);
  private final Histogram okAll = new Histogram(HIGHEST_US, 3);
  private final Histogram failedAll = new Histogram(HIGHEST_US, 3);
  private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
  private final LongAdder transportErrors = new LongAdder();
  private final LongAdder retryAfter503 = new LongAdder();
  private final LongAdder chunksReceived = new LongAdder();
  private final LongAdder streamsShort = new LongAdder();
  private final LongAdder streamsStalled = new LongAdder();
  private final AtomicLong maxGapUs = new AtomicLong();
  private final AtomicLong pending = new AtomicLong();
  private final AtomicLong maxPending = new AtomicLong();

  private String url;
  private byte[] body;
  private final List<String[]> headers = new ArrayList<>();
  private final List<double[]> phases = new ArrayList<>();
  private boolean stream;
  private int expectChunks;
  private long stallMs = 1000;
  private long pid = -1;
  private double drainSeconds = 30;
  private Path out;
  private Path hdrLog;
  private String label = "";
  private double warmupSeconds;

  public static void main(String[] args) throws Exception {
    // The JDK HttpClient hands every answer of sendAsync to CompletableFuture's default executor.
    // On a JVM that sees one CPU (the driver runs under taskset -c 1) that is a new thread per
    // answer, unless the common pool has at least two threads: set before anything touches it.
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(COMMON_POOL_PARALLELISM, "2");
    }
    if (ForkJoinPool.getCommonPoolParallelism() < 2) {
      System.err.println("LoadDriver: the common pool has " + ForkJoinPool.getCommonPoolParallelism()
          + " thread(s): every answer will start a thread of its own; pass -D" + COMMON_POOL_PARALLELISM + "=2");
    }
    LoadDriver driver = new LoadDriver();
    driver.parse(args);
    driver.run();
  }

  private void parse(String[] args) throws IOException {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String v = i + 1 < args.length ? args[i + 1] : null;
      switch (a) {
        case "--url" -> { url = v; i++; }
        case "--body" -> { body = Files.readAllBytes(Path.of(v)); i++; }
        case "--header" -> { int c = v.indexOf(':'); headers.add(new String[] {v.substring(0, c).trim(), v.substring(c + 1).trim()}); i++; }
        case "--phase" -> { String[] p = v.split(":"); phases.add(new double[] {Double.parseDouble(p[0]), Double.parseDouble(p[1])}); i++; }
        case "--stream" -> stream = true;
        case "--expect-chunks" -> { expectChunks = Integer.parseInt(v); i++; }
        case "--stall-ms" -> { stallMs = Long.parseLong(v); i++; }
        case "--pid" -> { pid = Long.parseLong(v); i++; }
        case "--drain" -> { drainSeconds = Double.parseDouble(v); i++; }
        case "--out" -> { out = Path.of(v); i++; }
        case "--hdr-log" -> { hdrLog = Path.of(v); i++; }
        case "--label" -> { label = v; i++; }
        case "--warmup" -> { warmupSeconds = Double.parseDouble(v); i++; }
        case "--connections" -> { connections = Integer.parseInt(v); free.set(connections); i++; }
        default -> throw new IllegalArgumentException("unknown argument " + a);
      }
    }
    if (url == null || body == null || phases.isEmpty()) {
      throw new IllegalArgumentException("--url, --body and at least one --phase RATE:SECONDS are needed");
    }
  }

  private void run() throws Exception {
    HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .executor(Executors.newFixedThreadPool(4))
        .build();
    HttpRequest.Builder template = HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json");
    for (String[] h : headers) {
      template.header(h[0], h[1]);
    }
    HttpRequest request = template.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();

    if (warmupSeconds > 0) {
      warmUp(client, request);
    }
    ProcSampler sampler = pid > 0 ? new ProcSampler(pid) : null;
    if (sampler != null) {
      sampler.start();
    }
    List<ObjectNode> perSecond = new ArrayList<>();
    long start = System.nanoTime();
    long intendedCount = 0;
    long maxLagNs = 0;
    long nextReport = start + TimeUnit.SECONDS.toNanos(1);
    double phaseStartS = 0;
    for (double[] phase : phases) {
      double rate = phase[0];
      double seconds = phase[1];
      long n = Math.round(rate * seconds);
      double periodNs = 1e9 / rate;
      long phaseStart = start + (long) (phaseStartS * 1e9);
      for (long i = 0; i < n; i++) {
        long intended = phaseStart + (long) (i * periodNs);
        long now;
        while ((now = System.nanoTime()) < intended) {
          if (now >= nextReport) {
            perSecond.add(second(perSecond.size() + 1, sampler));
            nextReport += TimeUnit.SECONDS.toNanos(1);
          }
          long wait = Math.min(intended, nextReport) - now;
          if (wait > 20_000) {
            LockSupport.parkNanos(wait - 10_000);
          } else {
            Thread.onSpinWait();
          }
        }
        maxLagNs = Math.max(maxLagNs, now - intended);
        send(client, request, intended);
        intendedCount++;
        if (now >= nextReport) {
          perSecond.add(second(perSecond.size() + 1, sampler));
          nextReport += TimeUnit.SECONDS.toNanos(1);
        }
      }
      phaseStartS += seconds;
    }
    long sendEnd = start + (long) (phaseStartS * 1e9);
    long drainEnd = System.nanoTime() + (long) (drainSeconds * 1e9);
    while (pending.get() > 0 && System.nanoTime() < drainEnd) {
      if (System.nanoTime() >= nextReport) {
        perSecond.add(second(perSecond.size() + 1, sampler));
        nextReport += TimeUnit.SECONDS.toNanos(1);
      }
      Thread.sleep(5);
    }
    perSecond.add(second(perSecond.size() + 1, sampler));
    long end = System.nanoTime();
    if (sampler != null) {
      sampler.stop();
    }

    ObjectMapper mapper = new ObjectMapper();
    long okCount = okAll.getTotalCount();
    Map<Integer, Long> byStatus = new TreeMap<>();
    statuses.forEach((k, v) -> byStatus.put(k, v.sum()));
    var report = new DriverReport(intendedCount, okCount, failedAll.getTotalCount() + transportErrors.sum(),
        transportErrors.sum(), pending.get(), byStatus, retryAfter503.sum(), (end - start) / 1e9,
        (sendEnd - start) / 1e9, maxLagNs / 1e6, maxPending.get());
    ObjectNode result = report.toJson(mapper, label, url, "LoadDriver (JDK HttpClient, open loop, HdrHistogram)",
        connections > 0 && !stream ? connections : 0, phases, stream, okAll, failedAll);
    if (stream) {
      ObjectNode s = result.putObject("streams");
      s.set("ttft_ms", DriverReport.percentiles(mapper, ttftAll));
      s.set("gap_ms", DriverReport.percentiles(mapper, gapAll));
      s.put("max_gap_ms", maxGapUs.get() / 1000.0);
      s.put("chunks_expected", expectChunks * okCount);
      s.put("chunks_received", chunksReceived.sum());
      s.put("lost_chunks", Math.max(0, expectChunks * okCount - chunksReceived.sum()));
      s.put("short_streams", streamsShort.sum());
      s.put("stalled_streams", streamsStalled.sum());
      s.put("stall_ms", stallMs);
    }
    if (sampler != null) {
      result.set("process", sampler.toJson(mapper, (end - start) / 1e9));
    }
    ArrayNode ps = result.putArray("per_second");
    perSecond.forEach(ps::add);
    if (hdrLog != null) {
      Map<String, Histogram> byTag = new LinkedHashMap<>();
      byTag.put("ok", okAll);
      if (stream) {
        byTag.put("ttft", ttftAll);
        byTag.put("gap", gapAll);
      }
      DriverReport.hdrLog(hdrLog, label, url, byTag);
    }
    DriverReport.write(mapper, result, out);
    System.exit(0);
  }

  /** Sends at the first phase's rate (at most 1,000/s) for --warmup seconds, then forgets it all. */
  private void warmUp(HttpClient client, HttpRequest request) throws InterruptedException {
    double rate = Math.min(1000, phases.get(0)[0]);
    long n = Math.round(rate * warmupSeconds);
    long start = System.nanoTime();
    for (long i = 0; i < n; i++) {
      long intended = start + (long) (i * 1e9 / rate);
      long wait = intended - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      send(client, request, intended);
    }
    long drainEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (pending.get() > 0 && System.nanoTime() < drainEnd) {
      Thread.sleep(5);
    }
    for (Recorder r : List.of(ok, failed, ttft, gaps)) {
      r.reset();
    }
    okAll.reset();
    failedAll.reset();
    ttftAll.reset();
    gapAll.reset();
    statuses.clear();
    for (LongAdder a : List.of(transportErrors, retryAfter503, chunksReceived, streamsShort, streamsStalled)) {
      a.reset();
    }
    maxGapUs.set(0);
    maxPending.set(0);
  }

  private final Histogram ttftAll = new Histogram(HIGHEST_US, 3);
  private final Histogram gapAll = new Histogram(HIGHEST_US, 3);

  /** Folds the last second's recorders into the totals and returns that second's figures. */
  private synchronized ObjectNode second(int index, ProcSampler sampler) {
    Histogram o = ok.getIntervalHistogram();
    Histogram f = failed.getIntervalHistogram();
    okAll.add(o);
    failedAll.add(f);
    ttftAll.add(ttft.getIntervalHistogram());
    gapAll.add(gaps.getIntervalHistogram());
    ObjectNode n = new ObjectMapper().createObjectNode();
    n.put("second", index);
    n.put("ok", o.getTotalCount());
    n.put("failed", f.getTotalCount());
    n.put("p50_ms", o.getValueAtPercentile(50) / 1000.0);
    n.put("p99_ms", o.getValueAtPercentile(99) / 1000.0);
    n.put("failed_p99_ms", f.getValueAtPercentile(99) / 1000.0);
    n.put("in_flight", pending.get());
    if (sampler != null) {
      n.put("rss_kb", sampler.lastRssKb);
    }
    return n;
  }

  /**
   * At most {@code --connections} requests in flight (0: no limit). The JDK HttpClient opens a
   * connection for every request in flight and keeps idle ones, so a cap on requests in flight is a
   * cap on connections, as wrk's fixed set is: a gateway that falls behind then sees requests queue
   * in the driver, counted in their latency from the intended send time, instead of a storm of new
   * connections that measures connection set-up. Streams run without it (1,000 must be open at once).
   */
  private int connections;
  private final java.util.concurrent.atomic.AtomicInteger free = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.ConcurrentLinkedQueue<Long> waiting = new java.util.concurrent.ConcurrentLinkedQueue<>();

  private void send(HttpClient client, HttpRequest request, long intended) {
    long p = pending.incrementAndGet();
    maxPending.accumulateAndGet(p, Math::max);
    if (connections <= 0 || stream) {
      dispatch(client, request, intended);
      return;
    }
    waiting.add(intended);
    pump(client, request);
  }

  /** Sends the waiting requests while connections are free; called after every change to either. */
  private void pump(HttpClient client, HttpRequest request) {
    while (!waiting.isEmpty()) {
      int f = free.get();
      if (f == 0) return;
      if (!free.compareAndSet(f, f - 1)) continue;
      Long next = waiting.poll();
      if (next == null) {
        free.incrementAndGet();  // another thread took it; look again
        continue;
      }
      dispatch(client, request, next);
    }
  }

  /** A request has its answer (or failed): its connection is free for the next. */
  private void done(HttpClient client, HttpRequest request) {
    pending.decrementAndGet();
    if (connections > 0 && !stream) {
      free.incrementAndGet();
      pump(client, request);
    }
  }

  private void dispatch(HttpClient client, HttpRequest request, long intended) {
    if (!stream) {
      client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
          .whenComplete((response, error) -> finished(client, request, intended, response, error, null));
      return;
    }
    StreamWatch watch = new StreamWatch(intended);
    client.sendAsync(request, HttpResponse.BodyHandlers.fromLineSubscriber(watch))
        .whenComplete((response, error) -> finished(client, request, intended, response, error, watch));
  }

  /** One answer (or transport failure) counted; a good stream's chunks are judged by its watch, if any. */
  private void finished(HttpClient client, HttpRequest request, long intended, HttpResponse<?> response,
      Throwable error, StreamWatch watch) {
    long us = (System.nanoTime() - intended) / 1000;
    if (error != null) {
      transportErrors.increment();
      failed.recordValue(Math.min(us, HIGHEST_US));
    } else {
      count(response.statusCode(), response);
      boolean good = response.statusCode() / 100 == 2;
      (good ? ok : failed).recordValue(Math.min(us, HIGHEST_US));
      if (good && watch != null) {
        watch.finish();
      }
    }
    done(client, request);
  }

  private void count(int status, HttpResponse<?> response) {
    statuses.computeIfAbsent(status, k -> new LongAdder()).increment();
    if (status == 503 && response.headers().firstValue("Retry-After").isPresent()) {
      retryAfter503.increment();
    }
  }

  /** Watches one stream's lines: first content, gaps, count. */
  private final class StreamWatch implements Flow.Subscriber<String> {
    private final long intended;
    private long last = -1;
    private int chunks;
    private long maxGap;

    StreamWatch(long intended) {
      this.intended = intended;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
      if (!line.startsWith("data:") || !CONTENT.matcher(line).find()) {
        return;
      }
      long now = System.nanoTime();
      if (last < 0) {
        ttft.recordValue(Math.min((now - intended) / 1000, HIGHEST_US));
      } else {
        long gap = (now - last) / 1000;
        gaps.recordValue(Math.min(gap, HIGHEST_US));
        maxGap = Math.max(maxGap, gap);
      }
      last = now;
      chunks++;
    }

    @Override
    public void onError(Throwable throwable) {}

    @Override
    public void onComplete() {}

    void finish() {
      chunksReceived.add(chunks);
      maxGapUs.accumulateAndGet(maxGap, Math::max);
      if (chunks < expectChunks) {
        streamsShort.increment();
      }
      if (maxGap > stallMs * 1000 || chunks < expectChunks) {
        streamsStalled.increment();
      }
    }
  }
}
