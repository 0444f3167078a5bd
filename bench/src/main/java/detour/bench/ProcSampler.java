package detour.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Samples a process's RSS (VmRSS) and CPU time (utime + stime) every 100 ms. */
final class ProcSampler {
  private final long pid;
  private final long ticksPerSecond = 100; // USER_HZ on Linux
  private volatile boolean running = true;
  volatile long lastRssKb;
  private long startRssKb = -1;
  private long maxRssKb;
  private long startTicks = -1;
  private long endTicks;
  private final CountDownLatch done = new CountDownLatch(1);

  ProcSampler(long pid) {
    this.pid = pid;
  }

  void start() {
    Thread t = new Thread(() -> {
      try {
        while (running) {
          sample();
          Thread.sleep(100);
        }
        sample();
      } catch (Exception ignored) {
        // the process went away: keep the last figures
      } finally {
        done.countDown();
      }
    }, "proc-sampler");
    t.setDaemon(true);
    t.start();
  }

  void stop() throws InterruptedException {
    running = false;
    done.await(2, TimeUnit.SECONDS);
  }

  private void sample() throws IOException {
    long rss = 0;
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
    lastRssKb = rss;
    maxRssKb = Math.max(maxRssKb, rss);
    if (startRssKb < 0) {
      startRssKb = rss;
      startTicks = ticks;
    }
    endTicks = ticks;
  }

  ObjectNode toJson(ObjectMapper mapper, double seconds) {
    ObjectNode n = mapper.createObjectNode();
    n.put("pid", pid);
    n.put("rss_start_kb", startRssKb);
    n.put("rss_max_kb", maxRssKb);
    n.put("rss_end_kb", lastRssKb);
    double cpu = (endTicks - startTicks) / (double) ticksPerSecond;
    n.put("cpu_seconds", cpu);
    n.put("cpu_percent_of_one_core", 100 * cpu / seconds);
    return n;
  }
}
