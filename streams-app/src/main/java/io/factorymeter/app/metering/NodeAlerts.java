package io.factorymeter.app.metering;

import io.factorymeter.app.config.AlertConfig;
import io.factorymeter.app.serde.VersionedSerde;
import io.factorymeter.app.state.WriteBehindStore;
import io.factorymeter.contract.OutputKey;
import io.factorymeter.schema.Alert;
import io.factorymeter.schema.AlertStatus;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The alerts of one input partition's nodes (SPEC §4 {@code factory.alerts}, key
 * {@code nodeId|alertType|startTime}): each is written when it opens and again, under the same key,
 * when it resolves. Decided per node in the partition's record order and against the partition's
 * stream time only, never the wall clock, so a replay raises the same alerts.
 *
 * <ul>
 *   <li><b>{@value #OVER_TEMPERATURE}</b>: the node's metered samples, in arrival order, with
 *       temperatureC above the threshold: at the K-th in a row it opens (startTime = the first of
 *       the run's timestamp, value = the K-th's temperatureC); the next sample at or below the
 *       threshold resolves it (endTime = its timestamp).</li>
 *   <li><b>{@value #NODE_SILENT}</b>: the partition's stream time more than the silence threshold
 *       past the node's last sample (the latest timestamp of its metered samples): opens when stream
 *       time gets there (startTime = the last sample's timestamp, value = the silence so far, s);
 *       the node's next later sample resolves it (endTime = its timestamp, value = the whole silence, s).</li>
 *   <li><b>{@value #LOW_TOKENS_PER_JOULE}</b>: when the partition settles a node window that served
 *       tokens, its tokens per joule against the node's baseline, Σ tokens / Σ energyJ over its
 *       settled windows that served tokens and start in [window start − baseline, window start):
 *       opens below fraction × baseline (startTime = the window's start, value = its tokens/J,
 *       threshold = fraction × baseline); the first later settled window serving tokens at or above
 *       fraction × its own baseline resolves it (endTime = that window's start). No baseline yet,
 *       or a window without tokens: nothing decided.</li>
 * </ul>
 *
 * <p>Work per sample: one lookup of the node's state, and, when the sample is the node's latest,
 * moving the node in a set ordered by last sample time; the silence check looks only at the head
 * of that set. The state is per node in a logged store written at each commit
 * ({@link WriteBehindStore}): the small state that changes with every sample apart from the
 * baseline windows, which change once per settled window; the ordered set is rebuilt from the
 * states in {@code init}.
 */
final class NodeAlerts {

  static final String STORE = "node-alerts";
  static final String BASELINE_STORE = "node-alert-baselines";
  static final String OVER_TEMPERATURE = "OVER_TEMPERATURE";
  static final String NODE_SILENT = "NODE_SILENT";
  static final String LOW_TOKENS_PER_JOULE = "LOW_TOKENS_PER_JOULE";
  private static final long NONE = Long.MIN_VALUE;

  private final ProcessorContext<String, Intake> context;
  private final long silenceMs;
  private final double temperatureC;
  private final int temperatureSamples;
  private final double fraction;
  private final long baselineMs;
  /** Per nodeId: changes with every sample of the node, so kept small. */
  private final WriteBehindStore<NodeState> nodes;
  /** Per nodeId: the baseline windows, changed once per settled window. */
  private final WriteBehindStore<Baseline> baselines;
  /** Nodes with a sample and no open silence, by their last sample's timestamp. */
  private final TreeSet<Seen> bySeen = new TreeSet<>(Comparator.comparingLong(Seen::at).thenComparing(Seen::nodeId));

  /** A node's last sample time, an entry of {@link #bySeen}. */
  private record Seen(long at, String nodeId) {
  }

  NodeAlerts(AlertConfig config, ProcessorContext<String, Intake> context) {
    this.context = context;
    this.silenceMs = config.silence().toMillis();
    this.temperatureC = config.temperatureC();
    this.temperatureSamples = config.temperatureSamples();
    this.fraction = config.tokensPerJouleFraction();
    this.baselineMs = config.baseline().toMillis();
    this.nodes = new WriteBehindStore<>(context.getStateStore(STORE));
    this.baselines = new WriteBehindStore<>(context.getStateStore(BASELINE_STORE));
    for (KeyValue<String, NodeState> kv : nodes.entries(key -> true)) {
      if (kv.value.lastSeen != NONE && kv.value.silentSince == NONE) {
        bySeen.add(new Seen(kv.value.lastSeen, kv.key));
      }
    }
  }

  /** The stores, logged, without Kafka Streams' record cache: {@link #writeBack} writes them at each commit. */
  static List<StoreBuilder<?>> stores() {
    return List.of(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(), new NodeState.Serde())
            .withCachingDisabled(),
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(BASELINE_STORE), Serdes.String(), new Baseline.Serde())
            .withCachingDisabled());
  }

  /** Writes the node states changed since the last commit: the task is about to commit. */
  void writeBack() {
    nodes.writeBack();
    baselines.writeBack();
  }

  /** A metered sample (valid, not a duplicate, not beyond the restatement horizon), in arrival order. */
  void sample(String nodeId, String clusterId, long ts, float temperature) {
    nodes.update(nodeId, s -> {
      NodeState state = s == null ? new NodeState() : s;
      state.clusterId = clusterId;
      onSample(nodeId, state, ts, temperature);
      return state;
    });
  }

  private void onSample(String nodeId, NodeState s, long ts, float temperature) {
    // silence: a later sample resolves an open one; the node moves in the set ordered by last sample
    if (ts > s.lastSeen || s.lastSeen == NONE) {
      if (s.silentSince != NONE) {
        send(nodeId, s.clusterId, NODE_SILENT, AlertStatus.RESOLVED, s.silentSince, ts, (ts - s.silentSince) / 1000.0,
            silenceMs / 1000.0,
            nodeId + " reported again at " + iso(ts) + " after " + seconds(ts - s.silentSince) + " s", ts);
        s.silentSince = NONE;
      } else if (s.lastSeen != NONE) {
        bySeen.remove(new Seen(s.lastSeen, nodeId));
      }
      s.lastSeen = ts;
      bySeen.add(new Seen(ts, nodeId));
    }
    // temperature: consecutive samples above the threshold, in arrival order
    if (temperature > temperatureC) {
      if (s.hotCount == 0) {
        s.hotStart = ts;
      }
      if (s.hotCount < Integer.MAX_VALUE) {
        s.hotCount++;
      }
      if (s.hotCount == temperatureSamples && s.hotOpen == NONE) {
        s.hotOpen = s.hotStart;
        send(nodeId, s.clusterId, OVER_TEMPERATURE, AlertStatus.OPEN, s.hotOpen, null, celsius(temperature), temperatureC,
            String.format(Locale.ROOT, "%s above %.1f °C for %d consecutive samples since %s (%.1f °C)", nodeId,
                temperatureC, temperatureSamples, iso(s.hotOpen), temperature), ts);
      }
    } else {
      s.hotCount = 0;
      if (s.hotOpen != NONE) {
        send(nodeId, s.clusterId, OVER_TEMPERATURE, AlertStatus.RESOLVED, s.hotOpen, ts, celsius(temperature), temperatureC,
            String.format(Locale.ROOT, "%s at %.1f °C, at or below %.1f °C, at %s", nodeId, temperature, temperatureC, iso(ts)), ts);
        s.hotOpen = NONE;
      }
    }
  }

  /** The partition's stream time is now {@code streamTime}: opens the silences it reveals. */
  void streamTime(long streamTime) {
    while (!bySeen.isEmpty() && streamTime - bySeen.first().at() > silenceMs) {
      Seen seen = bySeen.pollFirst();
      NodeState s = nodes.get(seen.nodeId());
      s.silentSince = s.lastSeen;
      nodes.put(seen.nodeId(), s);
      send(seen.nodeId(), s.clusterId, NODE_SILENT, AlertStatus.OPEN, s.silentSince, null, (streamTime - s.lastSeen) / 1000.0,
          silenceMs / 1000.0, seen.nodeId() + " silent since " + iso(s.silentSince) + ": no sample for "
              + seconds(streamTime - s.lastSeen) + " s of stream time", streamTime);
    }
  }

  /**
   * The partition settled the node's window starting at {@code windowStart} (in window order per
   * node): its tokens per joule against the node's baseline.
   */
  void settled(String nodeId, long windowStart, long windowMs, WindowFigures f) {
    long tokens = f.tokens;
    double energyJ = f.cost.energyJ();
    if (tokens <= 0 || f.cost.noEnergy()) {
      return;   // not serving tokens: nothing decided, nothing for the baseline
    }
    NodeState s = nodes.get(nodeId);
    if (s == null) {   // cannot happen: its samples came first
      s = new NodeState();
      s.clusterId = f.clusterId;
      nodes.put(nodeId, s);
    }
    Baseline b = baselines.get(nodeId);
    if (b == null) {
      b = new Baseline();
    }
    b.forgetBefore(windowStart - baselineMs);
    long baseTokens = 0;
    double baseEnergyJ = 0;
    for (int i = 0; i < b.windows; i++) {
      if (b.windowStarts[i] < windowStart) {
        baseTokens += b.windowTokens[i];
        baseEnergyJ += b.windowEnergyJ[i];
      }
    }
    if (baseTokens > 0 && baseEnergyJ > 0) {
      double baseline = baseTokens / baseEnergyJ;
      double threshold = fraction * baseline;
      double tpj = tokens / energyJ;
      long decided = windowStart + windowMs;
      if (s.lowOpen == NONE && tpj < threshold) {
        s.lowOpen = windowStart;
        nodes.put(nodeId, s);
        send(nodeId, s.clusterId, LOW_TOKENS_PER_JOULE, AlertStatus.OPEN, windowStart, null, tpj, threshold,
            String.format(Locale.ROOT, "%s at %.4g tokens/J in the window from %s, below %.2f × its baseline %.4g tokens/J",
                nodeId, tpj, iso(windowStart), fraction, baseline), decided);
      } else if (s.lowOpen != NONE && tpj >= threshold) {
        send(nodeId, s.clusterId, LOW_TOKENS_PER_JOULE, AlertStatus.RESOLVED, s.lowOpen, windowStart, tpj, threshold,
            String.format(Locale.ROOT, "%s at %.4g tokens/J in the window from %s, at or above %.2f × its baseline %.4g tokens/J",
                nodeId, tpj, iso(windowStart), fraction, baseline), decided);
        s.lowOpen = NONE;
        nodes.put(nodeId, s);
      }
    }
    b.addWindow(windowStart, tokens, energyJ);
    baselines.put(nodeId, b);
  }

  private void send(String nodeId, String clusterId, String type, AlertStatus status, long startTime, Long endTime,
      Double value, Double threshold, String message, long timestamp) {
    Alert alert = alert(nodeId, clusterId, type, status, startTime, endTime, value, threshold, message);
    context.forward(new Record<>(OutputKey.alert(nodeId, type, Instant.ofEpochMilli(startTime)),
        (Intake) new Intake.Alerted(alert), Math.max(0, timestamp)));
  }

  /** An alert record (node alerts and {@link ClusterAlerts}): times in epoch ms, endTime null while open. */
  static Alert alert(String subjectId, String clusterId, String type, AlertStatus status, long startTime, Long endTime,
      Double value, Double threshold, String message) {
    return Alert.newBuilder()
        .setNodeId(subjectId)
        .setClusterId(clusterId == null ? "" : clusterId)
        .setAlertType(type)
        .setStatus(status)
        .setStartTime(Instant.ofEpochMilli(startTime))
        .setEndTime(endTime == null ? null : Instant.ofEpochMilli(endTime))
        .setValue(value)
        .setThreshold(threshold)
        .setMessage(message)
        .build();
  }

  /** The sample's float temperatureC as the double of the same decimal (49.3, not 49.29999923706055). */
  private static double celsius(float temperature) {
    return Double.parseDouble(Float.toString(temperature));
  }

  private static String iso(long epochMs) {
    return OutputKey.iso(Instant.ofEpochMilli(epochMs));
  }

  private static String seconds(long ms) {
    return ms % 1000 == 0 ? Long.toString(ms / 1000) : Double.toString(ms / 1000.0);
  }

  /** What the alerts remember of a node but its baseline. Mutable; kept in {@link #STORE}. */
  static final class NodeState {
    String clusterId;
    /** Latest timestamp of its metered samples, epoch ms; NONE before the first. */
    long lastSeen = NONE;
    /** startTime of the open NODE_SILENT alert, or NONE. */
    long silentSince = NONE;
    /** Consecutive samples above the temperature threshold, up to the last one. */
    int hotCount;
    /** Timestamp of the first of those. */
    long hotStart = NONE;
    /** startTime of the open OVER_TEMPERATURE alert, or NONE. */
    long hotOpen = NONE;
    /** startTime of the open LOW_TOKENS_PER_JOULE alert, or NONE. */
    long lowOpen = NONE;

    /** Binary form for the store (internal to the application). */
    static final class Serde extends VersionedSerde<NodeState> {

      Serde() {
        super(1, "node alert state", 64);
      }

      @Override
      protected void write(DataOutput out, NodeState s) throws IOException {
        out.writeBoolean(s.clusterId != null);
        if (s.clusterId != null) {
          out.writeUTF(s.clusterId);
        }
        out.writeLong(s.lastSeen);
        out.writeLong(s.silentSince);
        out.writeInt(s.hotCount);
        out.writeLong(s.hotStart);
        out.writeLong(s.hotOpen);
        out.writeLong(s.lowOpen);
      }

      @Override
      protected NodeState read(DataInput in) throws IOException {
        NodeState s = new NodeState();
        s.clusterId = in.readBoolean() ? in.readUTF() : null;
        s.lastSeen = in.readLong();
        s.silentSince = in.readLong();
        s.hotCount = in.readInt();
        s.hotStart = in.readLong();
        s.hotOpen = in.readLong();
        s.lowOpen = in.readLong();
        return s;
      }
    }
  }

  /** A node's settled windows serving tokens within the baseline horizon, oldest first. Mutable; kept in {@link #BASELINE_STORE}. */
  static final class Baseline {
    /** The settled windows serving tokens within the baseline horizon, oldest first. */
    int windows;
    long[] windowStarts = new long[0];
    long[] windowTokens = new long[0];
    double[] windowEnergyJ = new double[0];

    void forgetBefore(long start) {
      int drop = 0;
      while (drop < windows && windowStarts[drop] < start) {
        drop++;
      }
      if (drop > 0) {
        System.arraycopy(windowStarts, drop, windowStarts, 0, windows - drop);
        System.arraycopy(windowTokens, drop, windowTokens, 0, windows - drop);
        System.arraycopy(windowEnergyJ, drop, windowEnergyJ, 0, windows - drop);
        windows -= drop;
      }
    }

    void addWindow(long start, long tokens, double energyJ) {
      if (windows == windowStarts.length) {
        int capacity = Math.max(4, windows * 2);
        windowStarts = Arrays.copyOf(windowStarts, capacity);
        windowTokens = Arrays.copyOf(windowTokens, capacity);
        windowEnergyJ = Arrays.copyOf(windowEnergyJ, capacity);
      }
      windowStarts[windows] = start;
      windowTokens[windows] = tokens;
      windowEnergyJ[windows] = energyJ;
      windows++;
    }

    /** Binary form for the store (internal to the application). */
    static final class Serde extends VersionedSerde<Baseline> {

      Serde() {
        super(1, "node alert baseline", 1500);
      }

      @Override
      protected void write(DataOutput out, Baseline b) throws IOException {
        out.writeInt(b.windows);
        for (int i = 0; i < b.windows; i++) {
          out.writeLong(b.windowStarts[i]);
          out.writeLong(b.windowTokens[i]);
          out.writeDouble(b.windowEnergyJ[i]);
        }
      }

      @Override
      protected Baseline read(DataInput in) throws IOException {
        Baseline b = new Baseline();
        int n = in.readInt();
        if (n < 0) {
          throw new IOException(n + " baseline windows");
        }
        b.windowStarts = new long[n];
        b.windowTokens = new long[n];
        b.windowEnergyJ = new double[n];
        for (int i = 0; i < n; i++) {
          b.windowStarts[i] = in.readLong();
          b.windowTokens[i] = in.readLong();
          b.windowEnergyJ[i] = in.readDouble();
        }
        b.windows = n;
        return b;
      }
    }
  }
}
