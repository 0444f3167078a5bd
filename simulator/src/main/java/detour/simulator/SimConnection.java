package detour.simulator;

import akka.NotUsed;
import akka.stream.SharedKillSwitch;
import akka.stream.javadsl.Flow;
import akka.util.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client connection of an instance: the kill switch that ends it, whether the client has closed
 * its side, and the chat request in flight on it.
 *
 * <p>When the client closes the connection while a request's answer (or stream) is unfinished, that
 * request counts as cancelled and the connection is shut: Akka HTTP would otherwise keep a
 * half-closed connection open for an answer nobody reads (a hung or stalled request would leak it).
 *
 * <p>How a response is cut on purpose ({@code stream-drop}) without losing the bytes sent before
 * the cut: failing the response's source would not do, as Akka Streams lets a failure overtake
 * elements still buffered on their way to the socket (the last chunks would never be written).
 * Instead the response's source emits {@link #CUT}, a marker no answer contains, after {@link
 * #armCut} has been called; {@link #cutter()}, on the socket side of the HTTP layer, passes the
 * bytes before the marker and then completes the connection's output, in stream order, so the TCP
 * stage writes everything before it and closes the connection. The client sees the response end in
 * the middle: no terminating event, no final chunk, or fewer bytes than the Content-Length.
 */
final class SimConnection {

  /** The marker a response's source emits where the connection is to be cut. */
  static final ByteString CUT = ByteString.fromString("\u0000detour-sim-cut\u0000");

  private static final String CUT_TEXT = CUT.decodeString(StandardCharsets.ISO_8859_1);

  final SharedKillSwitch killSwitch;
  final CompletableFuture<Void> clientClosed = new CompletableFuture<>();
  private volatile Exchange current;

  /** Null until a cut is armed; then whether the marker comes as an HTTP chunk. */
  private volatile Boolean cutInChunk;

  SimConnection(SharedKillSwitch killSwitch) {
    this.killSwitch = killSwitch;
    clientClosed.thenRun(this::clientGone);
  }

  /** A new request in flight; {@code onCancel} runs if its client gives up before it is settled. */
  Exchange begin(Runnable onCancel) {
    Exchange exchange = new Exchange(onCancel);
    current = exchange;
    return exchange;
  }

  /**
   * Announces that the response in flight will emit {@link #CUT} where the connection is to be cut;
   * {@code chunked} when the response's entity is chunked (the marker then has a chunk header).
   */
  void armCut(boolean chunked) {
    cutInChunk = chunked;
  }

  /**
   * The outgoing bytes, up to an armed cut: passes everything before the marker (and its chunk
   * header), then completes. Costs one volatile read per element while no cut is armed.
   */
  Flow<ByteString, ByteString, NotUsed> cutter() {
    return Flow.of(ByteString.class)
        .takeWhile(bytes -> cutIndex(bytes) < 0, true)
        .map(
            bytes -> {
              int index = cutIndex(bytes);
              return index < 0 ? bytes : bytes.take(index);
            });
  }

  /** Where the bytes to drop start (the marker's chunk header, if any); -1 when not there. */
  private int cutIndex(ByteString bytes) {
    Boolean chunked = cutInChunk;
    if (chunked == null) {
      return -1;
    }
    int marker = bytes.decodeString(StandardCharsets.ISO_8859_1).indexOf(CUT_TEXT);
    if (marker < 0 || !chunked) {
      return marker;
    }
    int header = Integer.toHexString(CUT.size()).length() + 2;
    return Math.max(0, marker - header);
  }

  private void clientGone() {
    Exchange exchange = current;
    if (exchange != null && exchange.cancel()) {
      killSwitch.shutdown();
    }
  }

  /** One chat request's fate: settled once, as answered in full or as cancelled by its client. */
  static final class Exchange {
    private final AtomicBoolean settled = new AtomicBoolean();
    private final Runnable onCancel;

    Exchange(Runnable onCancel) {
      this.onCancel = onCancel;
    }

    /** The answer went out whole (or was cut or dropped on purpose): nothing to cancel any more. */
    void finish() {
      settled.set(true);
    }

    /** The client gave up first; true, and counted, only if the request was not settled yet. */
    boolean cancel() {
      if (settled.compareAndSet(false, true)) {
        onCancel.run();
        return true;
      }
      return false;
    }
  }
}
