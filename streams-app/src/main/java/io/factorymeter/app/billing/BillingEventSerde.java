package io.factorymeter.app.billing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Binary form of {@link BillingEvent} on the internal repartition topic and of {@link PeriodState} in the store. */
public final class BillingEventSerde implements Serde<BillingEvent>, Serializer<BillingEvent>, Deserializer<BillingEvent> {

  private static final byte VERSION = 1;
  private static final byte CONTRIBUTION = 1;
  private static final byte WATERMARK = 2;

  @Override
  public byte[] serialize(String topic, BillingEvent event) {
    if (event == null) {
      return null;
    }
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(VERSION);
      if (event instanceof BillingEvent.Contribution c) {
        out.writeByte(CONTRIBUTION);
        out.writeUTF(c.tenantId());
        out.writeUTF(c.modelId());
        out.writeLong(c.periodStart());
        writeAmounts(out, c.amounts());
      } else {
        out.writeByte(WATERMARK);
      }
      out.writeInt(event.sourcePartition());
      out.writeLong(event.sourceStreamTime());
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new SerializationException("Cannot write billing event", e);
    }
  }

  @Override
  public BillingEvent deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      checkVersion(in.readByte());
      byte type = in.readByte();
      if (type == CONTRIBUTION) {
        String tenant = in.readUTF();
        String model = in.readUTF();
        long periodStart = in.readLong();
        BillingAmounts amounts = readAmounts(in);
        return new BillingEvent.Contribution(tenant, model, periodStart, amounts, in.readInt(), in.readLong());
      }
      if (type == WATERMARK) {
        return new BillingEvent.Watermark(in.readInt(), in.readLong());
      }
      throw new SerializationException("Unknown billing event type " + type);
    } catch (IOException e) {
      throw new SerializationException("Cannot read billing event", e);
    }
  }

  static void writeAmounts(DataOutputStream out, BillingAmounts a) throws IOException {
    out.writeLong(a.promptTokens);
    out.writeLong(a.completionTokens);
    out.writeLong(a.energyMicrojoules);
    out.writeLong(a.energyCostPicos);
    out.writeLong(a.capacityCostPicos);
    out.writeLong(a.withoutTariff);
    out.writeLong(a.withoutGpuRate);
    out.writeLong(a.unpricedSamples);
  }

  static BillingAmounts readAmounts(DataInputStream in) throws IOException {
    return new BillingAmounts(in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong(),
        in.readLong(), in.readLong());
  }

  static void checkVersion(byte version) {
    if (version != VERSION) {
      throw new SerializationException("Unknown billing format version " + version);
    }
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
  }

  @Override
  public Serializer<BillingEvent> serializer() {
    return this;
  }

  @Override
  public Deserializer<BillingEvent> deserializer() {
    return this;
  }

  @Override
  public void close() {
  }

  /** The store form of a period: revision emitted so far, then the amounts. */
  public static final class PeriodStateSerde implements Serde<PeriodState>, Serializer<PeriodState>, Deserializer<PeriodState> {

    @Override
    public byte[] serialize(String topic, PeriodState state) {
      if (state == null) {
        return null;
      }
      try {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(80);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(VERSION);
        out.writeInt(state.revision());
        writeAmounts(out, state.amounts());
        return bytes.toByteArray();
      } catch (IOException e) {
        throw new SerializationException("Cannot write period state", e);
      }
    }

    @Override
    public PeriodState deserialize(String topic, byte[] data) {
      if (data == null) {
        return null;
      }
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
        checkVersion(in.readByte());
        int revision = in.readInt();
        return new PeriodState(revision, readAmounts(in));
      } catch (IOException e) {
        throw new SerializationException("Cannot read period state", e);
      }
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
    }

    @Override
    public Serializer<PeriodState> serializer() {
      return this;
    }

    @Override
    public Deserializer<PeriodState> deserializer() {
      return this;
    }

    @Override
    public void close() {
    }
  }
}
