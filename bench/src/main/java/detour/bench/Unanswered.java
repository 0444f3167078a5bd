package detour.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback port where a connection attempt is never answered: a listener with a backlog of one
 * that never accepts, its queue filled by connections of its own. Linux drops a SYN that finds the
 * accept queue full, so a client's connect hangs until its own connect timeout, as it would against
 * a host that has gone away. Closing it closes the listener and the connections that fill it.
 */
final class Unanswered implements AutoCloseable {
  private final ServerSocket listener;
  private final List<Socket> fillers;

  private Unanswered(ServerSocket listener, List<Socket> fillers) {
    this.listener = listener;
    this.fillers = fillers;
  }

  static Unanswered listen() throws IOException {
    ServerSocket listener = new ServerSocket();
    listener.bind(new InetSocketAddress("127.0.0.1", 0), 1);
    List<Socket> fillers = new ArrayList<>();
    // Connect until one attempt is not answered: the queue is then full.
    for (int i = 0; i < 8; i++) {
      Socket filler = new Socket();
      try {
        filler.connect(new InetSocketAddress("127.0.0.1", listener.getLocalPort()), 300);
        fillers.add(filler);
      } catch (SocketTimeoutException full) {
        filler.close();
        return new Unanswered(listener, fillers);
      }
    }
    for (Socket filler : fillers) filler.close();
    listener.close();
    throw new IOException("the listener's queue did not fill up: connections to it would not hang");
  }

  int port() {
    return listener.getLocalPort();
  }

  @Override
  public void close() throws IOException {
    for (Socket filler : fillers) filler.close();
    listener.close();
  }
}
