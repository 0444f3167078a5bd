package detour.providers.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Continuing the stages that Akka's Java API hands out without a thread per step.
 *
 * <p>Akka (and Akka HTTP, Akka Streams) return Scala futures wrapped as {@code CompletableFuture}s
 * whose plain {@code thenApply}, {@code thenCompose}, {@code whenComplete}, {@code handle},
 * {@code exceptionally} and {@code thenAccept} all run their function on the JDK's default async
 * executor. That executor is {@code ForkJoinPool.commonPool()}, except when the JVM sees fewer than
 * two CPUs, as a router pinned to one core does: then it is {@code ThreadPerTaskExecutor}, a new
 * thread for every step. At the benchmark's load that was three threads started per request, and
 * Detour served about 450 requests/s on its core (docs/benchmarks.md).
 *
 * <p>{@link #plain} turns such a stage into an ordinary {@code CompletableFuture}, completed on the
 * thread that completes the original (an Akka dispatcher thread), so that the steps chained on it
 * run there, as the code that chains them expects. Use it wherever an Akka stage is continued on
 * the request path.
 */
public final class Stages {
  private Stages() {}

  /** The same outcome as {@code stage}, as a {@code CompletableFuture} whose steps run where it completes. */
  public static <T> CompletableFuture<T> plain(CompletionStage<T> stage) {
    CompletableFuture<T> plain = new CompletableFuture<>();
    stage.whenCompleteAsync((value, failure) -> {
      if (failure == null) {
        plain.complete(value);
      } else {
        plain.completeExceptionally(failure);
      }
    }, Runnable::run);
    return plain;
  }
}
