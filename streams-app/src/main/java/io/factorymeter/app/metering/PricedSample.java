package io.factorymeter.app.metering;

import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.Tariff;

/**
 * A valid sample with its energy and the prices in effect at its timestamp (SPEC §1, §2).
 *
 * @param sample the sample
 * @param tariff the site's tariff at the sample's timestamp, or null when none is known
 * @param gpuRate the GPU model's rate at the sample's timestamp, or null when none is known
 */
public record PricedSample(NodeSample sample, Tariff tariff, GpuRate gpuRate) {

  /** Seconds per hour and joules per kilowatt-hour. */
  public static final double JOULES_PER_KWH = 3.6e6;
  public static final double MS_PER_HOUR = 3.6e6;

  /** GPU energy of the interval, J: energyJoules when present (authoritative), else powerWatts × intervalMs / 1000. */
  public double energyJoules() {
    return sample.getEnergyJoules() != null ? sample.getEnergyJoules() : sample.getPowerWatts() * sample.getIntervalMs() / 1000.0;
  }

  /** energy / 3.6e6 × pricePerKwh × pue, in currency; null without a tariff. */
  public Double energyCost() {
    return tariff == null ? null : energyJoules() / JOULES_PER_KWH * tariff.getPricePerKwh() * tariff.getPue();
  }

  /** gpuCount × intervalMs in hours × hourlyRate, in currency; null without a GPU rate. */
  public Double capacityCost() {
    return gpuRate == null ? null : sample.getGpuCount() * (sample.getIntervalMs() / MS_PER_HOUR) * gpuRate.getHourlyRate();
  }

  /** Whether a tariff or a GPU rate is missing. */
  public boolean unpriced() {
    return tariff == null || gpuRate == null;
  }
}
