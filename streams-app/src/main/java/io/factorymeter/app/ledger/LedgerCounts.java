package io.factorymeter.app.ledger;

import io.factorymeter.schema.LedgerHour;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * What became of the input records one input partition placed in one ledger hour (issue 11, the
 * intake ledger): each record adds one to {@link #recordsIn} and one to exactly one outcome
 * (metered, duplicate, dead letter, too late), so {@code recordsIn = metered + duplicates +
 * deadLetters + tooLate} holds for every hour by construction; the ledger's value is that these
 * counts are kept under exactly-once with the results, so that they can be checked against what
 * was sent. Mutable, owned by one {@link IntakeLedger}.
 */
public final class LedgerCounts {

  /** No restatement pending. */
  static final long NOTHING_PENDING = Long.MAX_VALUE;

  long recordsIn;
  long metered;
  long duplicates;
  /** Dead letters by reason, in reason order. */
  final TreeMap<String, Long> deadLetters = new TreeMap<>();
  long lateForMetrics;
  long tooLate;
  long unpriced;
  long heartbeats;
  /** Revision last emitted; 0 while the hour is open. */
  int revision;
  /** Stream time at which the records counted since the last emission are emitted as a restatement; {@link #NOTHING_PENDING} if none. */
  long restateAt = NOTHING_PENDING;

  /** Dead letters of every reason, count. */
  long deadLetterTotal() {
    long total = 0;
    for (long n : deadLetters.values()) {
      total += n;
    }
    return total;
  }

  /** The output record of this hour at its current revision. */
  LedgerHour toRecord(String topic, int partition, long periodStart, long periodMs) {
    return LedgerHour.newBuilder()
        .setTopic(topic)
        .setPartition(partition)
        .setPeriodStart(Instant.ofEpochMilli(periodStart))
        .setPeriodEnd(Instant.ofEpochMilli(periodStart + periodMs))
        .setRecordsIn(recordsIn)
        .setMetered(metered)
        .setDuplicates(duplicates)
        .setDeadLetters(deadLetterTotal())
        .setDeadLettersByReason(new TreeMap<>(deadLetters))
        .setLateForMetrics(lateForMetrics)
        .setTooLate(tooLate)
        .setUnpriced(unpriced)
        .setHeartbeats(heartbeats)
        .setRevision(revision)
        .build();
  }

  void writeTo(DataOutput out) throws IOException {
    out.writeLong(recordsIn);
    out.writeLong(metered);
    out.writeLong(duplicates);
    out.writeInt(deadLetters.size());
    for (Map.Entry<String, Long> e : deadLetters.entrySet()) {
      out.writeUTF(e.getKey());
      out.writeLong(e.getValue());
    }
    out.writeLong(lateForMetrics);
    out.writeLong(tooLate);
    out.writeLong(unpriced);
    out.writeLong(heartbeats);
    out.writeInt(revision);
    out.writeLong(restateAt);
  }

  static LedgerCounts readFrom(DataInput in) throws IOException {
    LedgerCounts c = new LedgerCounts();
    c.recordsIn = in.readLong();
    c.metered = in.readLong();
    c.duplicates = in.readLong();
    int reasons = in.readInt();
    for (int i = 0; i < reasons; i++) {
      c.deadLetters.put(in.readUTF(), in.readLong());
    }
    c.lateForMetrics = in.readLong();
    c.tooLate = in.readLong();
    c.unpriced = in.readLong();
    c.heartbeats = in.readLong();
    c.revision = in.readInt();
    c.restateAt = in.readLong();
    return c;
  }

  /** Binary form for the ledger's state store (internal, so not Avro). */
  public static final class Serde extends io.factorymeter.app.serde.VersionedSerde<LedgerCounts> {

    public Serde() {
      super(1, "ledger counts", 128);
    }

    @Override
    protected void write(DataOutput out, LedgerCounts value) throws IOException {
      value.writeTo(out);
    }

    @Override
    protected LedgerCounts read(DataInput in) throws IOException {
      return readFrom(in);
    }
  }
}
