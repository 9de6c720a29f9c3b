package io.factorymeter.app.metering;

import io.factorymeter.app.serde.VersionedSerde;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Binary form of {@link WindowFigures} for state stores and repartition topics (internal to the
 * application, so not Avro): the fields in declaration order.
 */
public final class WindowFiguresSerde extends VersionedSerde<WindowFigures> {

  public WindowFiguresSerde() {
    super(2, "window figures", 192);
  }

  @Override
  protected void write(DataOutputStream out, WindowFigures f) throws IOException {
    f.writeTo(out);
  }

  @Override
  protected WindowFigures read(DataInputStream in) throws IOException {
    return WindowFigures.readFrom(in);
  }
}
