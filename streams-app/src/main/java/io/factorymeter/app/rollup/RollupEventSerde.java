package io.factorymeter.app.rollup;

import io.factorymeter.app.billing.BillingAmounts;
import io.factorymeter.app.metering.WindowFigures;
import io.factorymeter.app.serde.VersionedSerde;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;

/** Binary form of {@link RollupEvent} on the internal rollup repartition topic: a type byte, then its fields. */
public final class RollupEventSerde extends VersionedSerde<RollupEvent> {

  private static final byte GROUP = 1;
  private static final byte BILLING = 2;
  private static final byte WATERMARK = 3;

  public RollupEventSerde() {
    super(4, "rollup event", 232);
  }

  @Override
  protected void write(DataOutput out, RollupEvent event) throws IOException {
    if (event instanceof RollupEvent.GroupDelta g) {
      out.writeByte(GROUP);
      out.writeByte(g.group().ordinal());
      out.writeUTF(g.groupId());
      out.writeLong(g.windowStart());
      g.figures().writeTo(out);
    } else if (event instanceof RollupEvent.BillingDelta b) {
      out.writeByte(BILLING);
      out.writeUTF(b.tenantId());
      out.writeUTF(b.modelId());
      out.writeLong(b.periodStart());
      out.writeLong(b.batchClose());
      b.amounts().writeTo(out);
    } else {
      out.writeByte(WATERMARK);
    }
    out.writeInt(event.sourcePartition());
    out.writeLong(event.sourceStreamTime());
  }

  @Override
  protected RollupEvent read(DataInput in) throws IOException {
    byte type = in.readByte();
    switch (type) {
      case GROUP -> {
        RollupEvent.Group group = RollupEvent.Group.values()[in.readByte()];
        String id = in.readUTF();
        long windowStart = in.readLong();
        WindowFigures figures = WindowFigures.readFrom(in);
        return new RollupEvent.GroupDelta(group, id, windowStart, figures, in.readInt(), in.readLong());
      }
      case BILLING -> {
        String tenant = in.readUTF();
        String model = in.readUTF();
        long periodStart = in.readLong();
        long batchClose = in.readLong();
        BillingAmounts amounts = BillingAmounts.readFrom(in);
        return new RollupEvent.BillingDelta(tenant, model, periodStart, batchClose, amounts, in.readInt(), in.readLong());
      }
      case WATERMARK -> {
        return new RollupEvent.Watermark(in.readInt(), in.readLong());
      }
      default -> throw new SerializationException("Unknown rollup event type " + type);
    }
  }
}
