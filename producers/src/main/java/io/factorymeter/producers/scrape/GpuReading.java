package io.factorymeter.producers.scrape;

/**
 * What one scrape said about one GPU, in NodeSample units; null where the exporter said nothing.
 * When an exporter repeats a GPU (MIG instances repeat the device-level values) the first value wins.
 */
final class GpuReading {

  /** The GPU's model name as the exporter prints it, e.g. {@code NVIDIA L40S}. */
  String modelName;
  /** Power draw now, W. */
  Double powerWatts;
  /**
   * Energy counter, cumulative since the driver or the server started, in the exporter's unit:
   * mJ when {@link #energyInMillijoules}, else J. Increases are taken in that unit, then converted,
   * so that no rounding of the large counter leaks into them.
   */
  Double energyCounter;
  boolean energyInMillijoules;
  /** Temperature now, °C. */
  Double temperatureC;
  /** Utilization, ratio 0..1. */
  Double utilization;
}
