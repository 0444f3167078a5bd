package detour.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An open-loop load for the benchmark mains: one chat request to a node's {@code default} route at
 * a fixed rate, whatever the answers take, counting what came back.
 */
final class FixedRateLoad {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
  private final HttpRequest request;
  private final int ratePerSecond;
  final AtomicLong sent = new AtomicLong();
  final AtomicLong answered = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  /** Answers by the provider that gave them ({@code x-detour-provider}). */
  final Map<String, AtomicLong> byProvider = new ConcurrentSkipListMap<>();
  /** Every outcome by HTTP status, or by the exception's name when none came. */
  final Map<String, AtomicLong> statuses = new ConcurrentSkipListMap<>();

  FixedRateLoad(int port, int ratePerSecond) {
    this.ratePerSecond = ratePerSecond;
    request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
        .header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"default\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]}"))
        .build();
  }

  void start() {
    ticker.scheduleAtFixedRate(this::fire, 0, 1_000_000 / ratePerSecond, TimeUnit.MICROSECONDS);
  }

  /** Answers the named provider gave so far. */
  long answeredBy(String provider) {
    AtomicLong count = byProvider.get(provider);
    return count == null ? 0 : count.get();
  }

  private void fire() {
    sent.incrementAndGet();
    http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
      if (response != null && response.statusCode() == 200) {
        answered.incrementAndGet();
        response.headers().firstValue("x-detour-provider")
            .ifPresent(p -> byProvider.computeIfAbsent(p, k -> new AtomicLong()).incrementAndGet());
      } else {
        failed.incrementAndGet();
      }
      String status = response != null ? Integer.toString(response.statusCode()) : failure.getClass().getSimpleName();
      statuses.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
    });
  }

  /** Stops sending, then waits {@code drain} for the answers still on their way. */
  void stop(Duration drain) throws InterruptedException {
    ticker.shutdownNow();
    ticker.awaitTermination(5, TimeUnit.SECONDS);
    Thread.sleep(drain.toMillis());
  }
}
