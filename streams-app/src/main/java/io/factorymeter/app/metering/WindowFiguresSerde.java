package io.factorymeter.app.metering;

import io.factorymeter.app.serde.VersionedSerde;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Binary form of {@link WindowFigures} for state stores and repartition topics (internal to the
 * application, so not Avro): the fields in declaration order.
 */
public final class WindowFiguresSerde extends VersionedSerde<WindowFigures> {

  public WindowFiguresSerde() {
    super(4, "window figures", 232);
  }

  @Override
  protected void write(DataOutput out, WindowFigures f) throws IOException {
    f.writeTo(out);
  }

  @Override
  protected WindowFigures read(DataInput in) throws IOException {
    return WindowFigures.readFrom(in);
  }
}
