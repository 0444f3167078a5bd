package detour.simulator;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Continuing Akka's stages on the thread that completes them, as the router does
 * ({@code detour.providers.client.Stages}, which explains why: the plain {@code whenComplete} and
 * {@code thenCompose} of Akka's stages start a thread per step on a JVM that sees one CPU, and the
 * benchmark pins the simulator to one core).
 *
 * <p>A copy of that one method rather than a dependency: the simulator stands in for the upstreams
 * the router is tested against, so it depends on no Detour module.
 */
final class AkkaStages {
  private AkkaStages() {}

  /** The same outcome as {@code stage}, as a {@code CompletableFuture} whose steps run where it completes. */
  static <T> CompletableFuture<T> plain(CompletionStage<T> stage) {
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
