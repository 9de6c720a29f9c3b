package io.factorymeter.app.metering;

import io.factorymeter.contract.Apportionment;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What billing keeps to price and re-price a line (SPEC §2, §2a corrections): physical quantities,
 * never money, per <em>reference interval</em> (bucket). A bucket is (start, site, GPU model): start
 * is the sample's minute, or the latest version boundary within that minute known when the sample
 * was metered ({@code PriceHistory#price}), so that one version per kind of reference data
 * covers the whole bucket. Per bucket:
 * <ul>
 *   <li>samples: how many samples (or shares of samples) it holds, for the null rules;</li>
 *   <li>energy in µJ (GPU energy; the facility's is × pue);</li>
 *   <li>GPU time in GPU-nanoseconds: gpuCount × intervalMs × 10⁶.</li>
 * </ul>
 * A line's figures are {@link CostSums#of(ReferenceQuantities, io.factorymeter.app.pricing.ReferenceView)}:
 * the exact sum over buckets of quantity × the version in effect at the bucket's start, rounded once.
 * The buckets depend on the samples only, so a line re-priced after a correction equals the line
 * of a run that had the corrected value from the start.
 *
 * <p>Mutable: {@link #add} folds others in (exact; an overflow fails loudly).
 */
public final class ReferenceQuantities {

  /** Buckets never span more than a minute: a correction takes effect on a whole minute. */
  public static final long MINUTE_MS = 60_000;
  /** GPU-nanoseconds per GPU-millisecond. */
  public static final long NANOS_PER_MS = 1_000_000;

  /** A reference interval: from {@code start} (epoch ms) at most to the end of its minute, for one site and GPU model. */
  record Bucket(long start, String site, String gpuModel) {
  }

  static final Comparator<Bucket> ORDER = Comparator.comparingLong(Bucket::start).thenComparing(Bucket::site)
      .thenComparing(Bucket::gpuModel);

  /** bucket → {samples, energy µJ, GPU-ns}. */
  final Map<Bucket, long[]> buckets;

  public ReferenceQuantities() {
    this.buckets = new HashMap<>(4);
  }

  private ReferenceQuantities(Map<Bucket, long[]> buckets) {
    this.buckets = buckets;
  }

  /**
   * One sample's quantities.
   *
   * @param timestamp the sample's timestamp, epoch ms
   * @param boundary the latest version boundary at or before it ({@code PriceHistory#price}), or Long.MIN_VALUE
   */
  public static ReferenceQuantities of(long timestamp, long boundary, String site, String gpuModel, long energyMicrojoules,
      int gpuCount, int intervalMs) {
    long start = Math.max(Math.floorDiv(timestamp, MINUTE_MS) * MINUTE_MS, Math.min(boundary, timestamp));
    ReferenceQuantities q = new ReferenceQuantities();
    q.buckets.put(new Bucket(start, site, gpuModel),
        new long[] {1, energyMicrojoules, Math.multiplyExact((long) gpuCount * intervalMs, NANOS_PER_MS)});
    return q;
  }

  /** Folds {@code other} in; returns this. */
  public ReferenceQuantities add(ReferenceQuantities other) {
    for (Map.Entry<Bucket, long[]> e : other.buckets.entrySet()) {
      long[] mine = buckets.get(e.getKey());
      if (mine == null) {
        buckets.put(e.getKey(), e.getValue().clone());
      } else {
        for (int i = 0; i < mine.length; i++) {
          mine[i] = Math.addExact(mine[i], e.getValue()[i]);
        }
      }
    }
    return this;
  }

  /**
   * These quantities split in proportion to {@code weights} (SPEC §3) by the largest-remainder
   * method, bucket by bucket: the parts' energy and GPU time add up to these exactly; each part
   * keeps the sample counts (a share of a sample counts as a sample for the null rules).
   */
  public ReferenceQuantities[] split(double[] weights) {
    ReferenceQuantities[] parts = new ReferenceQuantities[weights.length];
    for (int i = 0; i < parts.length; i++) {
      parts[i] = new ReferenceQuantities();
    }
    for (Map.Entry<Bucket, long[]> e : buckets.entrySet()) {
      long[] energy = Apportionment.split(e.getValue()[1], weights);
      long[] gpuNanos = Apportionment.split(e.getValue()[2], weights);
      for (int i = 0; i < parts.length; i++) {
        parts[i].buckets.put(e.getKey(), new long[] {e.getValue()[0], energy[i], gpuNanos[i]});
      }
    }
    return parts;
  }

  /** Energy summed over buckets, µJ. */
  public long energyMicrojoules() {
    long sum = 0;
    for (long[] q : buckets.values()) {
      sum = Math.addExact(sum, q[1]);
    }
    return sum;
  }

  /** How many buckets. */
  public int size() {
    return buckets.size();
  }

  /** The buckets in order of start, site and GPU model. */
  List<Map.Entry<Bucket, long[]>> sorted() {
    List<Map.Entry<Bucket, long[]>> sorted = new ArrayList<>(buckets.entrySet());
    sorted.sort(Map.Entry.comparingByKey(ORDER));
    return sorted;
  }

  /** Writes the buckets in order (so equal quantities have equal bytes), sites and GPU models once each. */
  public void writeTo(DataOutput out) throws IOException {
    List<Map.Entry<Bucket, long[]>> sorted = sorted();
    List<String> names = new ArrayList<>();
    Map<String, Integer> index = new HashMap<>();
    for (Map.Entry<Bucket, long[]> e : sorted) {
      for (String name : new String[] {e.getKey().site(), e.getKey().gpuModel()}) {
        if (index.putIfAbsent(name, names.size()) == null) {
          names.add(name);
        }
      }
    }
    out.writeInt(names.size());
    for (String name : names) {
      out.writeUTF(name);
    }
    out.writeInt(sorted.size());
    for (Map.Entry<Bucket, long[]> e : sorted) {
      out.writeLong(e.getKey().start());
      out.writeInt(index.get(e.getKey().site()));
      out.writeInt(index.get(e.getKey().gpuModel()));
      for (long v : e.getValue()) {
        out.writeLong(v);
      }
    }
  }

  /** Reads what {@link #writeTo} wrote. */
  public static ReferenceQuantities readFrom(DataInput in) throws IOException {
    String[] names = new String[in.readInt()];
    for (int i = 0; i < names.length; i++) {
      names[i] = in.readUTF();
    }
    int n = in.readInt();
    Map<Bucket, long[]> buckets = new HashMap<>(Math.max(4, n * 2));
    for (int i = 0; i < n; i++) {
      Bucket b = new Bucket(in.readLong(), names[in.readInt()], names[in.readInt()]);
      buckets.put(b, new long[] {in.readLong(), in.readLong(), in.readLong()});
    }
    return new ReferenceQuantities(buckets);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ReferenceQuantities q) || q.buckets.size() != buckets.size()) {
      return false;
    }
    for (Map.Entry<Bucket, long[]> e : buckets.entrySet()) {
      long[] other = q.buckets.get(e.getKey());
      if (other == null || !java.util.Arrays.equals(other, e.getValue())) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = 0;
    for (Map.Entry<Bucket, long[]> e : buckets.entrySet()) {
      h += Objects.hash(e.getKey(), java.util.Arrays.hashCode(e.getValue()));
    }
    return h;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("{");
    for (Map.Entry<Bucket, long[]> e : sorted()) {
      s.append(e.getKey().start()).append('|').append(e.getKey().site()).append('|').append(e.getKey().gpuModel())
          .append('=').append(java.util.Arrays.toString(e.getValue())).append(' ');
    }
    return s.append('}').toString();
  }
}
