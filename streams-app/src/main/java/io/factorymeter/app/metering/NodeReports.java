package io.factorymeter.app.metering;

import io.factorymeter.app.serde.VersionedSerde;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * The metric windows in which one node reported (had a sample on time for metrics), as far back
 * as SPEC §4 {@code nodesKnown} still needs them, and the cluster of its latest report: what
 * {@link KnownNodes} keeps per node. Window starts in epoch ms, sorted, distinct. Immutable.
 */
final class NodeReports {

  private final String clusterId;
  private final long[] windowStarts;

  private NodeReports(String clusterId, long[] windowStarts) {
    this.clusterId = clusterId;
    this.windowStarts = windowStarts;
  }

  /** A node's first report: a window starting at {@code windowStart}, its latest sample of cluster {@code clusterId}. */
  static NodeReports of(long windowStart, String clusterId) {
    return new NodeReports(clusterId, new long[] {windowStart});
  }

  /**
   * These reports and one in the window starting at {@code windowStart}, whose latest sample
   * belongs to {@code clusterId}: the node's cluster if that window is its latest.
   */
  NodeReports with(long windowStart, String clusterId) {
    int i = Arrays.binarySearch(windowStarts, windowStart);
    String cluster = windowStart >= latest() ? clusterId : this.clusterId;
    if (i >= 0) {
      return cluster.equals(this.clusterId) ? this : new NodeReports(cluster, windowStarts);
    }
    int at = -i - 1;
    long[] grown = new long[windowStarts.length + 1];
    System.arraycopy(windowStarts, 0, grown, 0, at);
    grown[at] = windowStart;
    System.arraycopy(windowStarts, at, grown, at + 1, windowStarts.length - at);
    return new NodeReports(cluster, grown);
  }

  /** The reports in windows starting at or after {@code oldest} (this when none is older); null when none is left. */
  NodeReports since(long oldest) {
    int i = Arrays.binarySearch(windowStarts, oldest);
    int from = i >= 0 ? i : -i - 1;
    if (from == 0) {
      return this;
    }
    return from == windowStarts.length ? null
        : new NodeReports(clusterId, Arrays.copyOfRange(windowStarts, from, windowStarts.length));
  }

  /** The cluster of the node's latest sample (of its latest window). */
  String clusterId() {
    return clusterId;
  }

  /** Start of the latest window with a report, epoch ms. */
  long latest() {
    return windowStarts[windowStarts.length - 1];
  }

  /** Starts of the windows with a report, epoch ms, ascending (not to be changed). */
  long[] windowStarts() {
    return windowStarts;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NodeReports r && clusterId.equals(r.clusterId) && Arrays.equals(windowStarts, r.windowStarts);
  }

  @Override
  public int hashCode() {
    return 31 * clusterId.hashCode() + Arrays.hashCode(windowStarts);
  }

  @Override
  public String toString() {
    return "NodeReports{" + clusterId + ", " + Arrays.toString(windowStarts) + "}";
  }

  /**
   * Its binary form in a state store: the cluster, the number of windows, the first window start
   * (epoch ms), then each next one as whole seconds after the one before (metric windows are whole
   * seconds, so their starts are too).
   */
  static final class Serde extends VersionedSerde<NodeReports> {

    Serde() {
      super(1, "node reports", 128);
    }

    @Override
    protected void write(DataOutput out, NodeReports r) throws IOException {
      out.writeUTF(r.clusterId);
      out.writeInt(r.windowStarts.length);
      out.writeLong(r.windowStarts[0]);
      for (int i = 1; i < r.windowStarts.length; i++) {
        long gap = r.windowStarts[i] - r.windowStarts[i - 1];
        if (gap % 1000 != 0 || gap / 1000 > Integer.MAX_VALUE) {
          throw new IOException("window starts " + gap + " ms apart: not a whole number of seconds that fits an int");
        }
        out.writeInt((int) (gap / 1000));
      }
    }

    @Override
    protected NodeReports read(DataInput in) throws IOException {
      String clusterId = in.readUTF();
      int n = in.readInt();
      if (n < 1) {
        throw new IOException("reports in " + n + " windows");
      }
      long[] starts = new long[n];
      starts[0] = in.readLong();
      for (int i = 1; i < n; i++) {
        int seconds = in.readInt();
        if (seconds <= 0) {
          throw new IOException("window starts not ascending: +" + seconds + " s");
        }
        starts[i] = starts[i - 1] + seconds * 1000L;
      }
      return new NodeReports(clusterId, starts);
    }
  }
}
