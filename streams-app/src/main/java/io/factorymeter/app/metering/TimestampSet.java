package io.factorymeter.app.metering;

import io.factorymeter.app.serde.VersionedSerde;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * The sample timestamps of one node seen in one metric window, for deduplication (SPEC §1): kept
 * as sorted offsets from the window start, in ms (a window is at most an hour, so an int holds
 * one). One value per node and window instead of one store entry per sample.
 */
public final class TimestampSet {

  private final int[] offsets;

  private TimestampSet(int[] offsets) {
    this.offsets = offsets;
  }

  public static TimestampSet empty() {
    return new TimestampSet(new int[0]);
  }

  /** Whether the set holds {@code offsetMs}. */
  public boolean contains(int offsetMs) {
    return Arrays.binarySearch(offsets, offsetMs) >= 0;
  }

  public boolean isEmpty() {
    return offsets.length == 0;
  }

  public int size() {
    return offsets.length;
  }

  /** A set that holds {@code offsetMs} too (this one if it already does). */
  public TimestampSet with(int offsetMs) {
    int i = Arrays.binarySearch(offsets, offsetMs);
    if (i >= 0) {
      return this;
    }
    int at = -i - 1;
    int[] grown = new int[offsets.length + 1];
    System.arraycopy(offsets, 0, grown, 0, at);
    grown[at] = offsetMs;
    System.arraycopy(offsets, at, grown, at + 1, offsets.length - at);
    return new TimestampSet(grown);
  }

  /** Its binary form in a state store. */
  public static final class Serde extends VersionedSerde<TimestampSet> {

    public Serde() {
      super(1, "timestamp set", 64);
    }

    @Override
    protected void write(DataOutput out, TimestampSet set) throws IOException {
      out.writeInt(set.offsets.length);
      for (int o : set.offsets) {
        out.writeInt(o);
      }
    }

    @Override
    protected TimestampSet read(DataInput in) throws IOException {
      int n = in.readInt();
      if (n < 0 || n > 3_600_000) {
        throw new IOException("a set of " + n + " timestamps");
      }
      int[] offsets = new int[n];
      for (int i = 0; i < n; i++) {
        offsets[i] = in.readInt();
      }
      return new TimestampSet(offsets);
    }
  }
}
