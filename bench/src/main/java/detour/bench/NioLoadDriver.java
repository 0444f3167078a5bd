package detour.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * An open-loop driver for non-streamed POSTs at rates the JDK HttpClient cannot reach on a core it
 * shares with the simulator: one thread, one selector, a fixed set of keep-alive HTTP/1.1
 * connections, the request's bytes built once. Like {@link LoadDriver} it sends each request at its
 * intended time and counts its latency from then (no coordinated omission): a request due while
 * every connection is busy waits in the driver, and the wait is part of its latency. {@code
 * send_lag_max_ms} is how late the driver itself noticed a request was due (its own CPU), apart from
 * that wait; {@code service_ms} and {@code failed_service_ms} count from the actual send, the
 * server's own time without the driver's queue. Answers must carry a Content-Length (Detour's and the simulator's non-streamed answers
 * do); a connection the server closes is opened again, and a request it held counts as a transport
 * error.
 *
 * <p>Usage: {@code NioLoadDriver --url URL --body FILE --phase RATE:SECONDS [--phase ...]
 * [--connections N] [--header K:V] [--warmup SECONDS] [--pid PID] [--drain SECONDS] [--out FILE]
 * [--hdr-log FILE] [--label TEXT]}.
 * It writes one JSON object with {@link LoadDriver}'s fields for non-streamed runs.
 */
public final class NioLoadDriver {
  private static final long HIGHEST_US = TimeUnit.MINUTES.toMicros(10);
  private static final byte[] HEAD_END = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final Histogram okAll = new Histogram(HIGHEST_US, 3);
  private final Histogram failedAll = new Histogram(HIGHEST_US, 3);
  private final Histogram okSecond = new Histogram(HIGHEST_US, 3);
  private final Histogram failedSecond = new Histogram(HIGHEST_US, 3);
  /** From the request's actual send to its answer: the server's own time, without the driver's queue. */
  private final Histogram okService = new Histogram(HIGHEST_US, 3);
  private final Histogram failedService = new Histogram(HIGHEST_US, 3);
  private final Histogram failedServiceSecond = new Histogram(HIGHEST_US, 3);
  private final Map<Integer, Long> statuses = new TreeMap<>();
  private long transportErrors;
  private long retryAfter503;
  private long reconnects;
  private long connectFailures;

  private URI url;
  private byte[] request;
  private final List<String[]> headers = new ArrayList<>();
  private final List<double[]> phases = new ArrayList<>();
  private int connectionCount = 256;
  private long pid = -1;
  private double drainSeconds = 20;
  private double warmupSeconds;
  private Path out;
  private Path hdrLog;
  private String label = "";

  private Selector selector;
  private InetSocketAddress address;
  private final ArrayDeque<Connection> idle = new ArrayDeque<>();
  /** Intended send times of requests due while every connection was busy, oldest first. */
  private final ArrayDeque<Long> waiting = new ArrayDeque<>();
  private long outstanding;
  private long maxOutstanding;

  public static void main(String[] args) throws Exception {
    run(args);
    System.exit(0);
  }

  /** Runs the load that {@code args} describe; returns the figures, also written to {@code --out} or stdout. */
  static ObjectNode run(String[] args) throws Exception {
    NioLoadDriver driver = new NioLoadDriver();
    driver.parse(args);
    try {
      return driver.run();
    } finally {
      driver.closeAll();
    }
  }

  private void parse(String[] args) throws IOException {
    byte[] body = null;
    for (int i = 0; i < args.length; i++) {
      String v = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--url" -> { url = URI.create(v); i++; }
        case "--body" -> { body = Files.readAllBytes(Path.of(v)); i++; }
        case "--header" -> { int c = v.indexOf(':'); headers.add(new String[] {v.substring(0, c).trim(), v.substring(c + 1).trim()}); i++; }
        case "--phase" -> { String[] p = v.split(":"); phases.add(new double[] {Double.parseDouble(p[0]), Double.parseDouble(p[1])}); i++; }
        case "--connections" -> { connectionCount = Integer.parseInt(v); i++; }
        case "--pid" -> { pid = Long.parseLong(v); i++; }
        case "--drain" -> { drainSeconds = Double.parseDouble(v); i++; }
        case "--warmup" -> { warmupSeconds = Double.parseDouble(v); i++; }
        case "--out" -> { out = Path.of(v); i++; }
        case "--hdr-log" -> { hdrLog = Path.of(v); i++; }
        case "--label" -> { label = v; i++; }
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (url == null || body == null || phases.isEmpty() || connectionCount < 1) {
      throw new IllegalArgumentException("--url, --body, at least one --phase RATE:SECONDS and --connections >= 1 are needed");
    }
    address = new InetSocketAddress(url.getHost(), url.getPort());
    StringBuilder head = new StringBuilder()
        .append("POST ").append(url.getRawPath()).append(" HTTP/1.1\r\n")
        .append("Host: ").append(url.getHost()).append(':').append(url.getPort()).append("\r\n")
        .append("Content-Type: application/json\r\n")
        .append("Content-Length: ").append(body.length).append("\r\n");
    for (String[] h : headers) head.append(h[0]).append(": ").append(h[1]).append("\r\n");
    byte[] h = head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
    request = new byte[h.length + body.length];
    System.arraycopy(h, 0, request, 0, h.length);
    System.arraycopy(body, 0, request, h.length, body.length);
  }

  private ObjectNode run() throws Exception {
    selector = Selector.open();
    for (int i = 0; i < connectionCount; i++) open();
    if (warmupSeconds > 0) {
      // Warms both ends (JIT, connections) at the first phase's rate, at most 1,000/s; then forgotten.
      drive(List.of(new double[] {Math.min(1000, phases.get(0)[0]), warmupSeconds}), 10, new ArrayList<>(), null);
      forget();
    }
    ProcSampler sampler = pid > 0 ? new ProcSampler(pid) : null;
    if (sampler != null) sampler.start();
    List<ObjectNode> perSecond = new ArrayList<>();
    Run run = drive(phases, drainSeconds, perSecond, sampler);
    if (sampler != null) sampler.stop();
    return write(perSecond, sampler, run);
  }

  private void closeAll() throws IOException {
    if (selector == null) return;
    for (SelectionKey key : selector.keys()) key.channel().close();
    selector.close();
  }

  /** What one drive through a list of phases did. */
  private record Run(long start, long end, long sendEnd, long intended, long maxLagNs) {}

  private Run drive(List<double[]> phases, double drainSeconds, List<ObjectNode> perSecond, ProcSampler sampler)
      throws IOException {
    long start = System.nanoTime();
    long nextReport = start + TimeUnit.SECONDS.toNanos(1);
    long intendedCount = 0;
    long maxLagNs = 0;
    int phase = 0;
    long phaseStart = start;
    long indexInPhase = 0;
    long sendEnd = start;
    for (double[] p : phases) sendEnd += (long) (p[1] * 1e9);
    long drainEnd = sendEnd + (long) (drainSeconds * 1e9);

    while (true) {
      long now = System.nanoTime();
      // Every request now due joins the queue for a connection, at its intended time.
      while (phase < phases.size()) {
        double[] p = phases.get(phase);
        if (indexInPhase >= Math.round(p[0] * p[1])) {
          phaseStart += (long) (p[1] * 1e9);
          phase++;
          indexInPhase = 0;
          continue;
        }
        long intended = phaseStart + (long) (indexInPhase * 1e9 / p[0]);
        if (intended > now) break;
        maxLagNs = Math.max(maxLagNs, now - intended);
        waiting.addLast(intended);
        indexInPhase++;
        intendedCount++;
        outstanding++;
      }
      maxOutstanding = Math.max(maxOutstanding, outstanding);
      while (!waiting.isEmpty() && !idle.isEmpty()) send(idle.pollFirst(), waiting.pollFirst());
      if (now >= nextReport) {
        perSecond.add(second(perSecond.size() + 1, sampler));
        nextReport += TimeUnit.SECONDS.toNanos(1);
      }
      boolean sending = phase < phases.size();
      if (!sending && (outstanding == 0 || now >= drainEnd)) break;

      long nextDue = sending ? phaseStart + (long) (indexInPhase * 1e9 / phases.get(phase)[0]) : Long.MAX_VALUE;
      long wait = Math.min(nextDue, nextReport) - now;
      int ready = wait >= 2_000_000 ? selector.select(wait / 1_000_000 - 1) : selector.selectNow();
      if (ready == 0 && wait > 0 && wait < 2_000_000) LockSupport.parkNanos(Math.min(wait, 50_000));
      for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
        SelectionKey key = it.next();
        it.remove();
        handle(key);
      }
    }
    perSecond.add(second(perSecond.size() + 1, sampler));
    return new Run(start, System.nanoTime(), sendEnd, intendedCount, maxLagNs);
  }

  /** Forgets what the warm-up recorded, and the requests it never sent. */
  private void forget() {
    okAll.reset();
    failedAll.reset();
    okSecond.reset();
    failedSecond.reset();
    okService.reset();
    failedService.reset();
    failedServiceSecond.reset();
    statuses.clear();
    transportErrors = retryAfter503 = reconnects = connectFailures = 0;
    outstanding -= waiting.size(); // requests never sent; one still on a connection is answered later
    waiting.clear();
    maxOutstanding = 0;
  }

  /** One keep-alive connection: at most one request at a time, its answer read into {@code in}. */
  private final class Connection {
    final SocketChannel channel;
    final SelectionKey key;
    final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    ByteBuffer pendingWrite;
    long intended = -1;
    long sent;
    boolean connected;

    Connection(SocketChannel channel, SelectionKey key) {
      this.channel = channel;
      this.key = key;
    }
  }

  private void open() throws IOException {
    SocketChannel channel = SocketChannel.open();
    channel.configureBlocking(false);
    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
    boolean now = channel.connect(address);
    SelectionKey key = channel.register(selector, now ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT);
    Connection c = new Connection(channel, key);
    key.attach(c);
    if (now) {
      c.connected = true;
      idle.addLast(c);
    }
  }

  private void send(Connection c, long intended) {
    c.intended = intended;
    c.sent = System.nanoTime();
    c.in.clear();
    ByteBuffer bytes = ByteBuffer.wrap(request);
    try {
      c.channel.write(bytes);
      if (bytes.hasRemaining()) {
        c.pendingWrite = bytes;
        c.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
      }
    } catch (IOException broken) {
      lost(c);
    }
  }

  private void handle(SelectionKey key) {
    Connection c = (Connection) key.attachment();
    try {
      if (!key.isValid()) return;
      if (key.isConnectable()) {
        c.channel.finishConnect();
        c.connected = true;
        key.interestOps(SelectionKey.OP_READ);
        idle.addLast(c);
        return;
      }
      if (key.isWritable() && c.pendingWrite != null) {
        c.channel.write(c.pendingWrite);
        if (!c.pendingWrite.hasRemaining()) {
          c.pendingWrite = null;
          key.interestOps(SelectionKey.OP_READ);
        }
      }
      if (key.isReadable()) {
        int n = c.channel.read(c.in);
        if (n < 0) {
          lost(c);
          return;
        }
        answerIfWhole(c);
      }
    } catch (IOException broken) {
      lost(c);
    }
  }

  /** Records the answer once its head and Content-Length bytes of body are in. */
  private void answerIfWhole(Connection c) throws IOException {
    if (c.intended < 0) return; // bytes with no request outstanding: ignored
    byte[] a = c.in.array();
    int len = c.in.position();
    int headEnd = indexOf(a, len, HEAD_END);
    if (headEnd < 0) return;
    String head = new String(a, 0, headEnd, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    int contentLength = headerInt(head, "\ncontent-length:");
    if (contentLength < 0) throw new IOException("an answer without Content-Length: " + head.lines().findFirst().orElse(""));
    if (len < headEnd + 4 + contentLength) return;
    int status = Integer.parseInt(head.substring(9, 12));
    long now = System.nanoTime();
    long latencyUs = micros(now - c.intended);
    long serviceUs = micros(now - c.sent);
    statuses.merge(status, 1L, Long::sum);
    if (status >= 200 && status < 300) {
      okAll.recordValue(latencyUs);
      okSecond.recordValue(latencyUs);
      okService.recordValue(serviceUs);
    } else {
      failedAll.recordValue(latencyUs);
      failedSecond.recordValue(latencyUs);
      failedService.recordValue(serviceUs);
      failedServiceSecond.recordValue(serviceUs);
      if (status == 503 && head.contains("\nretry-after:")) retryAfter503++;
    }
    outstanding--;
    c.intended = -1;
    c.in.clear();
    if (head.contains("\nconnection: close")) {
      lost(c);
    } else if (!waiting.isEmpty()) {
      send(c, waiting.pollFirst());
    } else {
      idle.addLast(c);
    }
  }

  /** The server closed the connection, or it broke: its request (if any) failed; a new one replaces it. */
  private void lost(Connection c) {
    if (c.intended >= 0) {
      transportErrors++;
      outstanding--;
      long now = System.nanoTime();
      failedAll.recordValue(micros(now - c.intended));
      failedSecond.recordValue(micros(now - c.intended));
      failedService.recordValue(micros(now - c.sent));
      failedServiceSecond.recordValue(micros(now - c.sent));
    }
    idle.remove(c);
    c.key.cancel();
    try {
      c.channel.close();
      if (!c.connected) {
        connectFailures++; // the server refused it: no retry in a loop
        return;
      }
      reconnects++;
      open();
    } catch (IOException cannot) {
      System.err.println("NioLoadDriver: cannot open a connection again: " + cannot);
    }
  }

  private static long micros(long nanos) {
    return Math.min(Math.max(0, nanos / 1_000), HIGHEST_US);
  }

  private static int indexOf(byte[] a, int len, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= len; i++) {
      for (int j = 0; j < needle.length; j++) if (a[i + j] != needle[j]) continue outer;
      return i;
    }
    return -1;
  }

  private static int headerInt(String head, String name) {
    int at = head.indexOf(name);
    if (at < 0) return -1;
    int from = at + name.length();
    int to = head.indexOf('\r', from);
    return Integer.parseInt(head.substring(from, to < 0 ? head.length() : to).trim());
  }

  private ObjectNode second(int index, ProcSampler sampler) {
    ObjectNode n = new ObjectMapper().createObjectNode();
    n.put("second", index);
    n.put("ok", okSecond.getTotalCount());
    n.put("failed", failedSecond.getTotalCount());
    n.put("p50_ms", okSecond.getValueAtPercentile(50) / 1000.0);
    n.put("p99_ms", okSecond.getValueAtPercentile(99) / 1000.0);
    n.put("failed_p99_ms", failedSecond.getValueAtPercentile(99) / 1000.0);
    n.put("failed_service_p99_ms", failedServiceSecond.getValueAtPercentile(99) / 1000.0);
    n.put("in_flight", outstanding);
    if (sampler != null) n.put("rss_kb", sampler.lastRssKb);
    okSecond.reset();
    failedSecond.reset();
    failedServiceSecond.reset();
    return n;
  }

  private ObjectNode write(List<ObjectNode> perSecond, ProcSampler sampler, Run run) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    double seconds = (run.end() - run.start()) / 1e9;
    var report = new DriverReport(run.intended(), okAll.getTotalCount(), failedAll.getTotalCount(), transportErrors,
        outstanding, statuses, retryAfter503, seconds, (run.sendEnd() - run.start()) / 1e9, run.maxLagNs() / 1e6,
        maxOutstanding);
    ObjectNode result = report.toJson(mapper, label, url.toString(),
        "NioLoadDriver (one thread, NIO, open loop, HdrHistogram)", connectionCount, phases, false, okAll, failedAll);
    result.put("reconnects", reconnects);
    result.put("connect_failures", connectFailures);
    result.set("service_ms", DriverReport.percentiles(mapper, okService));
    result.set("failed_service_ms", DriverReport.percentiles(mapper, failedService));
    if (sampler != null) result.set("process", sampler.toJson(mapper, seconds));
    ArrayNode ps = result.putArray("per_second");
    perSecond.forEach(ps::add);
    if (hdrLog != null) DriverReport.hdrLog(hdrLog, label, url.toString(), Map.of("ok", okAll));
    DriverReport.write(mapper, result, out);
    return result;
  }
}
