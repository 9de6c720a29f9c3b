package io.factorymeter.app.metering;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Binary form of {@link WindowFigures} for state stores and repartition topics (internal to the
 * application, so not Avro): a format version byte, then the fields in declaration order.
 */
public final class WindowFiguresSerde implements Serde<WindowFigures>, Serializer<WindowFigures>, Deserializer<WindowFigures> {

  private static final byte VERSION = 1;

  @Override
  public byte[] serialize(String topic, WindowFigures f) {
    if (f == null) {
      return null;
    }
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(160);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(VERSION);
      out.writeLong(f.samples);
      out.writeLong(f.nodesReporting);
      out.writeLong(f.tokens);
      out.writeLong(f.outputTokens);
      out.writeLong(f.energyMicrojoules);
      out.writeLong(f.coveredMs);
      out.writeLong(f.utilizationMicroMs);
      out.writeLong(f.temperatureMilliMs);
      out.writeDouble(f.maxTemperatureC);
      out.writeLong(f.energyCostPicos);
      out.writeLong(f.capacityCostPicos);
      out.writeLong(f.withoutTariff);
      out.writeLong(f.withoutGpuRate);
      out.writeLong(f.unpricedSamples);
      writeString(out, f.clusterId);
      writeString(out, f.site);
      writeString(out, f.gpuModel);
      out.writeInt(f.gpuCount);
      out.writeLong(f.labelTimestamp);
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new SerializationException("Cannot write window figures", e);
    }
  }

  @Override
  public WindowFigures deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      byte version = in.readByte();
      if (version != VERSION) {
        throw new SerializationException("Unknown window figures format version " + version);
      }
      WindowFigures f = new WindowFigures();
      f.samples = in.readLong();
      f.nodesReporting = in.readLong();
      f.tokens = in.readLong();
      f.outputTokens = in.readLong();
      f.energyMicrojoules = in.readLong();
      f.coveredMs = in.readLong();
      f.utilizationMicroMs = in.readLong();
      f.temperatureMilliMs = in.readLong();
      f.maxTemperatureC = in.readDouble();
      f.energyCostPicos = in.readLong();
      f.capacityCostPicos = in.readLong();
      f.withoutTariff = in.readLong();
      f.withoutGpuRate = in.readLong();
      f.unpricedSamples = in.readLong();
      f.clusterId = readString(in);
      f.site = readString(in);
      f.gpuModel = readString(in);
      f.gpuCount = in.readInt();
      f.labelTimestamp = in.readLong();
      return f;
    } catch (IOException e) {
      throw new SerializationException("Cannot read window figures", e);
    }
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    out.writeBoolean(s != null);
    if (s != null) {
      out.writeUTF(s);
    }
  }

  private static String readString(DataInputStream in) throws IOException {
    return in.readBoolean() ? in.readUTF() : null;
  }

  @Override
  public Serializer<WindowFigures> serializer() {
    return this;
  }

  @Override
  public Deserializer<WindowFigures> deserializer() {
    return this;
  }

  @Override
  public void configure(java.util.Map<String, ?> configs, boolean isKey) {
  }

  @Override
  public void close() {
  }
}
