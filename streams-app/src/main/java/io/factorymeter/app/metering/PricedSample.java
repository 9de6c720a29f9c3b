package io.factorymeter.app.metering;

import io.factorymeter.schema.GpuEmbodied;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.GridIntensity;
import io.factorymeter.schema.NodeSample;
import io.factorymeter.schema.Tariff;

/**
 * A valid sample with its energy and the reference data in effect at its timestamp: prices (SPEC
 * §2) and carbon figures (SPEC §2a).
 *
 * @param sample the sample
 * @param tariff the site's tariff at the sample's timestamp, or null when none is known
 * @param gpuRate the GPU model's rate at the sample's timestamp, or null when none is known
 * @param gridIntensity the site's grid carbon intensity at the sample's timestamp, or null
 * @param gpuEmbodied the GPU model's embodied emissions per GPU-hour at the sample's timestamp, or null
 * @param boundary the latest instant at or before the sample's timestamp at which a version of any
 *     of these takes effect, epoch ms; Long.MIN_VALUE when none does (see {@link ReferenceQuantities})
 */
public record PricedSample(NodeSample sample, Tariff tariff, GpuRate gpuRate, GridIntensity gridIntensity,
    GpuEmbodied gpuEmbodied, long boundary) {

  /** A sample with its reference data, no version boundary known inside its minute. */
  public PricedSample(NodeSample sample, Tariff tariff, GpuRate gpuRate, GridIntensity gridIntensity, GpuEmbodied gpuEmbodied) {
    this(sample, tariff, gpuRate, gridIntensity, gpuEmbodied, Long.MIN_VALUE);
  }

  /** A sample with prices and no carbon figures. */
  public PricedSample(NodeSample sample, Tariff tariff, GpuRate gpuRate) {
    this(sample, tariff, gpuRate, null, null);
  }

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

  /**
   * SPEC §2a: energy / 3.6e6 × pue × gco2ePerKwh, gCO2e (pue from the site's tariff: the facility's
   * energy, not only the GPUs'); null without a grid intensity or without a tariff.
   */
  public Double operationalCarbonG() {
    return gridIntensity == null || tariff == null ? null
        : energyJoules() / JOULES_PER_KWH * tariff.getPue() * gridIntensity.getGco2ePerKwh();
  }

  /** SPEC §2a: gpuCount × intervalMs in hours × gco2ePerGpuHour, gCO2e; null without an embodied figure. */
  public Double embodiedCarbonG() {
    return gpuEmbodied == null ? null : sample.getGpuCount() * (sample.getIntervalMs() / MS_PER_HOUR) * gpuEmbodied.getGco2ePerGpuHour();
  }

  /** The sample's quantities for billing, in its reference interval (SPEC §2a corrections). */
  public ReferenceQuantities quantities() {
    return ReferenceQuantities.of(sample.getTimestamp().toEpochMilli(), boundary, sample.getSite(), sample.getGpuModel(),
        FixedPoint.microjoules(energyJoules()), sample.getGpuCount(), sample.getIntervalMs());
  }

  /** Whether a tariff or a GPU rate is missing. */
  public boolean unpriced() {
    return tariff == null || gpuRate == null;
  }
}
