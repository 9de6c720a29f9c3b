package io.factorymeter.cli.fault;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on 127.0.0.1 in front of a port of the stack, through which the pipeline reaches it,
 * that can fail on command:
 * <ul>
 *   <li>{@link #refuse()}: the port is closed (new connections are refused) and open connections are
 *       cut, until {@link #restore()} (the service is unreachable);
 *   <li>{@link #stall()}: connections stay open and new ones are accepted, but no byte is forwarded
 *       in either direction until {@link #restore()} (a network stall: a blocked port; bytes held
 *       are delivered afterwards, as TCP would once the path is back).
 * </ul>
 */
public final class FaultProxy implements AutoCloseable {

  private final int port;
  private final int upstreamPort;
  private final String name;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean stalled;
  private volatile boolean closed;
  private ServerSocket server;
  private Thread acceptor;

  private FaultProxy(String name, int port, int upstreamPort) {
    this.name = name;
    this.port = port;
    this.upstreamPort = upstreamPort;
  }

  /** Starts forwarding {@code 127.0.0.1:port} to {@code 127.0.0.1:upstreamPort}. */
  public static FaultProxy start(String name, int port, int upstreamPort) throws IOException {
    FaultProxy p = new FaultProxy(name, port, upstreamPort);
    p.listen();
    return p;
  }

  public int port() {
    return port;
  }

  private synchronized void listen() throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
    server = s;
    acceptor = new Thread(() -> accept(s), "fault-proxy-" + name + "-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void accept(ServerSocket s) {
    while (!s.isClosed()) {
      Socket client;
      try {
        client = s.accept();
      } catch (IOException e) {
        return;   // closed: refused or stopped
      }
      Thread t = new Thread(() -> connect(client), "fault-proxy-" + name + "-connect");
      t.setDaemon(true);
      t.start();
    }
  }

  private void connect(Socket client) {
    Socket upstream = new Socket();
    try {
      client.setTcpNoDelay(true);
      upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort), 5000);
      upstream.setTcpNoDelay(true);
    } catch (IOException e) {
      closeQuietly(client);   // the service is down (e.g. a broker restarting): the client sees the connection close
      closeQuietly(upstream);
      return;
    }
    open.add(client);
    open.add(upstream);
    pump(client, upstream, "up");
    pump(upstream, client, "down");
  }

  private void pump(Socket from, Socket to, String direction) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[64 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          while (stalled && !closed) {
            Thread.sleep(10);   // hold the bytes: nothing passes while the port is blocked
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException | InterruptedException e) {
        // a side closed: close both
      } finally {
        closeQuietly(from);
        closeQuietly(to);
        open.remove(from);
        open.remove(to);
      }
    }, "fault-proxy-" + name + "-" + direction);
    t.setDaemon(true);
    t.start();
  }

  /** No byte passes until {@link #restore()}; connections stay open. */
  public void stall() {
    stalled = true;
  }

  /** The port refuses connections and open ones are cut, until {@link #restore()}. */
  public synchronized void refuse() {
    closeQuietly(server);
    open.forEach(FaultProxy::closeQuietly);
    open.clear();
  }

  /** Back to forwarding: the port listens again, held bytes flow. */
  public synchronized void restore() throws IOException {
    stalled = false;
    if (server.isClosed() && !closed) {
      listen();
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    stalled = false;
    closeQuietly(server);
    open.forEach(FaultProxy::closeQuietly);
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // already closed
    }
  }
}
