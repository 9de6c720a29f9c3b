package io.factorymeter.producers.prices;

import io.factorymeter.producers.kafka.AvroRecordSender;
import io.factorymeter.producers.prices.PriceJson.Price;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.Tariff;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Publishes a price file: tariffs to the tariff topic keyed by site, GPU rates to the GPU-rate
 * topic keyed by gpuModel, each with record timestamp = effectiveFrom (the moment it takes effect).
 * The whole file is checked before anything is sent: a price list is applied completely or not at
 * all.
 */
public final class PriceLoader {

  /** Counts of what was published. */
  public record Result(int tariffs, int gpuRates) {
  }

  private final AvroRecordSender<Tariff> tariffs;
  private final AvroRecordSender<GpuRate> gpuRates;

  public PriceLoader(AvroRecordSender<Tariff> tariffs, AvroRecordSender<GpuRate> gpuRates) {
    this.tariffs = tariffs;
    this.gpuRates = gpuRates;
  }

  /** Reads and checks every line of {@code file}; {@link IllegalArgumentException} names the first bad line. */
  public static List<Price> read(Path file) throws IOException {
    return read(file, null);
  }

  /**
   * Reads and checks every line of {@code file}, a price without a {@code publishedAt} of its own
   * getting {@code publishedAt} (null: none) before it is checked; {@link IllegalArgumentException}
   * names the first bad line.
   */
  public static List<Price> read(Path file, Instant publishedAt) throws IOException {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(in, file.toString(), publishedAt);
    }
  }

  /**
   * Reads and checks every line; {@link IllegalArgumentException} names the first bad line as
   * {@code source:line}.
   */
  public static List<Price> read(BufferedReader in, String source) throws IOException {
    return read(in, source, null);
  }

  /**
   * As {@link #read(BufferedReader, String)}, a price without a {@code publishedAt} of its own
   * getting {@code publishedAt} (null: none) before it is checked.
   */
  public static List<Price> read(BufferedReader in, String source, Instant publishedAt) throws IOException {
    List<Price> prices = new ArrayList<>();
    String line;
    for (int number = 1; (line = in.readLine()) != null; number++) {
      if (line.isBlank()) {
        continue;
      }
      try {
        prices.add(PriceJson.parse(line, publishedAt));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(source + ":" + number + ": " + e.getMessage(), e);
      }
    }
    return prices;
  }

  /** Sends the prices and waits for the broker's acknowledgement. */
  public Result publish(List<Price> prices) {
    int t = 0;
    int g = 0;
    for (Price p : prices) {
      long ts = p.effectiveFrom().toEpochMilli();
      if (p.value() instanceof Tariff tariff) {
        tariffs.send(p.key(), tariff, ts);
        t++;
      } else {
        gpuRates.send(p.key(), (GpuRate) p.value(), ts);
        g++;
      }
    }
    tariffs.flush();
    gpuRates.flush();
    return new Result(t, g);
  }
}
